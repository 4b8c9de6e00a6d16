/**
 * Runs scenarios one after another inside a runtime and prints one result line each, which the
 * Node driver (../runtimes.test.ts) reads. Scenarios share one emulator, so they never overlap.
 */
import type { Scenario, ScenarioContext } from './app.js';

/** Prefix of result lines on stdout; anything else the runtime prints is ignored. */
export const RESULT_PREFIX = 'RUNTIME-RESULT ';

/** One scenario's outcome as printed by the runtime. */
export interface ScenarioResult {
  name: string;
  ok: boolean;
  error?: string;
}

const SCENARIO_TIMEOUT_MS = 15_000;

function withTimeout(promise: Promise<void>, name: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${SCENARIO_TIMEOUT_MS} ms: ${name}`)),
      SCENARIO_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs every scenario and prints its result line. */
export async function runScenarios(scenarios: readonly Scenario[], context: ScenarioContext): Promise<void> {
  for (const scenario of scenarios) {
    let result: ScenarioResult;
    try {
      await withTimeout(scenario.run(context), scenario.name);
      result = { name: scenario.name, ok: true };
    } catch (error) {
      result = {
        name: scenario.name,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    console.log(`${RESULT_PREFIX}${JSON.stringify(result)}`);
  }
}
