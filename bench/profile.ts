// In-process CPU profiling (the V8 sampling profiler behind `node --cpu-prof`, driven through
// node:inspector) and a summary of where the time goes: top functions by self time, and self
// time grouped by package. Used for the closing note when a target is missed.
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileEntry {
  /** Function name (`(anonymous)` when it has none). */
  name: string;
  /** `path:line` relative to the repository (1-based line), or a `node:` id / V8 category. */
  where: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  label: string;
  totalMs: number;
  samples: number;
  /** Operations completed while profiling, when known (gives µs per operation). */
  operations?: number;
  /** Self time by package or area, largest first. */
  byArea: Array<{ area: string; selfMs: number; percent: number }>;
  /** Functions with the most self time, largest first. */
  top: ProfileEntry[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function pathOf(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return relative(ROOT, fileURLToPath(url));
    } catch {
      return url;
    }
  }
  return url;
}

/** The package or area a frame belongs to. */
export function areaOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(program)' || (url === '' && functionName.startsWith('('))) return 'V8 / native (program)';
  const path = pathOf(url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  if (path.startsWith('src/core/')) return 'clerk-edge src/core';
  if (path.startsWith('src/hono/')) return 'clerk-edge src/hono';
  if (path.startsWith('src/')) return 'clerk-edge src (other)';
  if (path.startsWith('bench/')) return 'bench harness';
  if (path.includes('undici')) return 'node: undici (Request/Headers/Response)';
  if (path.startsWith('node:')) return `node: ${path.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
  if (url === '') return 'V8 builtins / native';
  return path;
}

function summarise(label: string, profile: CpuProfile, topN: number): ProfileSummary {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const samples = profile.samples?.length ?? profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const msPerSample = samples > 0 ? totalMs / samples : 0;
  const byFunction = new Map<string, ProfileEntry>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    const path = pathOf(url);
    const where = url === '' ? '' : `${path}:${lineNumber + 1}`;
    const key = `${name}\u0000${where}`;
    const entry = byFunction.get(key) ?? { name, where, selfMs: 0, percent: 0 };
    entry.selfMs += hits * msPerSample;
    byFunction.set(key, entry);
    const area = areaOf(functionName, url);
    byArea.set(area, (byArea.get(area) ?? 0) + hits * msPerSample);
  }
  const percentOf = (ms: number) => (totalMs > 0 ? (100 * ms) / totalMs : 0);
  const top = [...byFunction.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, topN)
    .map((entry) => ({ ...entry, percent: percentOf(entry.selfMs) }));
  return {
    label,
    totalMs,
    samples,
    byArea: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, selfMs]) => ({ area, selfMs, percent: percentOf(selfMs) })),
    top,
  };
}

/** Starts the sampling profiler in this process; the returned function stops it and summarises. */
export async function startProfile(
  label: string,
  samplingIntervalUs = 100,
): Promise<(topN?: number) => Promise<ProfileSummary>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await session.post('Profiler.start');
  return async (topN = 15) => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    await session.post('Profiler.disable');
    session.disconnect();
    return summarise(label, profile, topN);
  };
}

/** Runs `op` back to back for about `durationMs` under the profiler. */
export async function profileLoop(
  label: string,
  durationMs: number,
  op: (index: number) => Promise<unknown>,
): Promise<ProfileSummary> {
  const stop = await startProfile(label);
  const deadline = performance.now() + durationMs;
  let index = 0;
  while (performance.now() < deadline) {
    for (let burst = 0; burst < 50; burst++) await op(index++);
  }
  return { ...(await stop()), operations: index };
}

/** The summary as markdown lines (areas, then top functions). */
export function formatProfile(summary: ProfileSummary, areas = 10, functions = 15): string[] {
  const ops = summary.operations;
  const perOp = (selfMs: number) => (ops ? ` ${((selfMs * 1000) / ops).toFixed(1)} |` : '');
  const perOpHead = ops ? ' µs/op |' : '';
  const perOpRule = ops ? ' ---: |' : '';
  return [
    `Profile: ${summary.label} (${summary.totalMs.toFixed(0)} ms, ${summary.samples} samples${ops ? `, ${ops} operations` : ''}; self time)`,
    '',
    `| Area | Self ms | Share |${perOpHead}`,
    `| --- | ---: | ---: |${perOpRule}`,
    ...summary.byArea
      .slice(0, areas)
      .map((a) => `| ${a.area} | ${a.selfMs.toFixed(1)} | ${a.percent.toFixed(1)}% |${perOp(a.selfMs)}`),
    '',
    `| Function | Where | Self ms | Share |${perOpHead}`,
    `| --- | --- | ---: | ---: |${perOpRule}`,
    ...summary.top
      .slice(0, functions)
      .map(
        (f) =>
          `| \`${f.name}\` | ${f.where || '(native)'} | ${f.selfMs.toFixed(1)} | ${f.percent.toFixed(1)}% |${perOp(f.selfMs)}`,
      ),
  ];
}
