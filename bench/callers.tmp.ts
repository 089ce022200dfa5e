import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const target = process.argv[3]!;
const parent = new Map<number, number>();
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
p.samples.forEach((id: number, i: number) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
// inclusive per node
const incl = new Map<number, number>();
for (const [id, us] of selfUs) for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) incl.set(cur, (incl.get(cur) ?? 0) + us);
const stacks = new Map<string, number>();
for (const n of p.nodes) {
  if (n.callFrame.functionName !== target) continue;
  const chain: string[] = [];
  for (let cur = parent.get(n.id); cur !== undefined && chain.length < 8; cur = parent.get(cur)) { const c = byId.get(cur).callFrame; chain.push(`${c.functionName || '(anon)'}@${c.url.replace(/.*\//, '')}:${c.lineNumber + 1}`); }
  const k = chain.join(' < ');
  stacks.set(k, (stacks.get(k) ?? 0) + (incl.get(n.id) ?? 0));
}
for (const [k, us] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log((us / 1000).toFixed(0), 'ms', k);
