/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, and self time
 * per package/file, as shares of the profile's busy (non-idle) time.
 * Usage: npx tsx bench/profileSummary.ts <file.cpuprofile> [top=30]
 *        npx tsx bench/profileSummary.ts <file.cpuprofile> --callers <functionName>
 *          (the call chains leading to that function, with the time spent in it and below, most first)
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, callersOf] = process.argv.slice(2);
if (!file || (topArg === '--callers' && !callersOf)) {
  console.error('usage: tsx bench/profileSummary.ts <file.cpuprofile> [top | --callers <functionName>]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

if (topArg === '--callers') {
  printCallers(callersOf!);
  process.exit(0);
}
const top = Number(topArg ?? 30);

/** The chains of callers (8 deep) of every node of the function `name`, by the time spent in and below it. */
function printCallers(name: string): void {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<number, number>();
  for (const [id, us] of selfUs) for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) inclusive.set(at, (inclusive.get(at) ?? 0) + us);
  const chains = new Map<string, number>();
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== name) continue;
    const chain: string[] = [];
    for (let at = parent.get(node.id); at !== undefined && chain.length < 8; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      chain.push(`${frame.functionName || '(anonymous)'}@${frame.url.replace(/.*\//, '')}:${frame.lineNumber + 1}`);
    }
    const key = chain.join(' < ');
    chains.set(key, (chains.get(key) ?? 0) + (inclusive.get(node.id) ?? 0));
  }
  for (const [chain, us] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${chain}`);
}

const IDLE = new Set(['(idle)', '(program)']);
let busy = 0;
const perFunction = new Map<string, number>();
const perModule = new Map<string, number>();
const moduleOf = (url: string): string => {
  if (!url) return '(native/V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return url;
  const src = /packages\/[^/]+\/(?:dist|src)\/(.+)$/.exec(url);
  return src ? src[1]! : url;
};
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  const name = node.callFrame.functionName || '(anonymous)';
  if (IDLE.has(name)) continue;
  busy += us;
  const key = `${name}  ${moduleOf(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  perFunction.set(key, (perFunction.get(key) ?? 0) + us);
  const mod = name === '(garbage collector)' ? '(garbage collector)' : moduleOf(node.callFrame.url);
  perModule.set(mod, (perModule.get(mod) ?? 0) + us);
}
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
};
console.log(`busy ${(busy / 1e6).toFixed(2)} s of ${(profile.timeDeltas.reduce((a, b) => a + b, 0) / 1e6).toFixed(2)} s profiled`);
print('self time by module', perModule);
print('self time by function', perFunction);
