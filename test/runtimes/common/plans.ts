/**
 * Which scenarios each runtime run executes. The runtimes' entries and the Node driver both read
 * this list, so the driver knows every scenario name before the runtime starts.
 */
import type { Scenario } from './app.js';
import {
  deniedPermissionScenarios,
  type EnvironmentAccess,
  environmentScenarios,
  partialPermissionScenarios,
} from './environment.js';
import { SCENARIOS } from './scenarios.js';

/** One run of a runtime: `bun`; `deno` with full, `CLERK_*`-only and no environment permission. */
export type RuntimePlan = 'bun' | 'deno' | 'deno-clerk-env-only' | 'deno-no-env';

export function scenariosFor(plan: RuntimePlan, env: EnvironmentAccess): readonly Scenario[] {
  switch (plan) {
    case 'bun':
    case 'deno':
      return [...SCENARIOS, ...environmentScenarios(env)];
    case 'deno-clerk-env-only':
      return partialPermissionScenarios(env);
    case 'deno-no-env':
      return deniedPermissionScenarios(env);
  }
}
