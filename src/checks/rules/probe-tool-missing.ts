import type { ClusterModel } from '../../model/cluster.js';
import type { NodeRecord, StepRecord } from '../../model/bundle.js';
import { defineCheck, type Draft } from '../define.js';
import { nodeItems } from '../../catalogue/index.js';
import { missingTool } from '../../parse/arping.js';

/** The image mlb-report uses when --image is not given (src/collect). */
const defaultImage = 'nicolaka/netshoot';

/** The binary a collection step runs, when its record does not name the missing one. */
function toolOfStep(step: string): string | undefined {
  if (step.startsWith('probe.arping')) return 'arping';
  if (step === 'capture') return 'tcpdump';
  const cmd = nodeItems.find((i) => i.id === step)?.command;
  return cmd && cmd[0] !== 'sh' ? cmd[0] : undefined;
}

export interface MissingTool {
  node: string;
  tool: string;
  step: string;
  /** The shell's or runtime's own words. */
  message: string;
  files: string[];
  access?: NodeRecord['access'];
  /** Where the message was read: the collection record, or the probe output itself. */
  source: 'manifest' | 'output';
}

/**
 * Steps that failed because their binary is not in the container they ran in: the shell says
 * `not found` (exit 127), the runtime `executable file not found in $PATH` (exit 126/128, or a
 * failed exec). Read from the collection record, and from probe outputs that carry the message.
 * parse-notes and collection-gap leave these to this check.
 */
export function missingTools(model: ClusterModel): MissingTool[] {
  const out: MissingTool[] = [];
  const seen = new Set<string>();
  for (const n of model.manifest?.nodes ?? []) {
    for (const s of n.steps ?? []) {
      const hit = toolFailure(s);
      if (!hit) continue;
      seen.add(`${n.node}|${s.step}`);
      out.push({ node: n.node, tool: hit.tool, step: s.step, message: hit.message, files: s.files ?? [], access: n.access, source: 'manifest' });
    }
  }
  for (const [node, st] of Object.entries(model.nodes)) {
    for (const a of st.arping) {
      if (!a.missingTool) continue;
      const step = `probe.arping.${a.ip || a.path}`;
      if ([...seen].some((k) => k.startsWith(`${node}|probe.arping`))) continue;
      out.push({ node, tool: missingTool(a.missingTool) ?? 'arping', step, message: a.missingTool, files: [a.path], source: 'output' });
    }
  }
  return out;
}

function toolFailure(s: StepRecord): { tool: string; message: string } | undefined {
  if (s.status === 'ok' && s.exitCode !== 127 && s.exitCode !== 126) return undefined;
  const reason = s.reason ?? '';
  const named = missingTool(reason);
  if (named) return { tool: named, message: reason };
  // `arping not available in frr; N more IPs not probed`: the collector's own note after a 127;
  // `no tcpdump in the FRR image (...)`: the capture it did not try in the frr container.
  const rest = /^(\S+) not available in (\S+)/.exec(reason) ?? /^no (\S+) in the FRR image/.exec(reason);
  if (rest) return { tool: rest[1], message: reason };
  if (s.exitCode === 127 || /^exit code 127\b/.test(reason)) {
    const tool = toolOfStep(s.step);
    if (tool) return { tool, message: reason || 'exit code 127 (command not found)' };
  }
  return undefined;
}

/** Bundle files written by tool-missing steps: their (empty) content is not a parse problem. */
export function missingToolFiles(model: ClusterModel): Set<string> {
  return new Set(missingTools(model).flatMap((m) => m.files));
}

/** Steps (node|step id) reported by this check instead of collection-gap. */
export function missingToolSteps(model: ClusterModel): Set<string> {
  return new Set(missingTools(model).map((m) => `${m.node}|${m.step}`));
}

const where = (access: NodeRecord['access'] | undefined, image: string) =>
  access === 'frr-exec' ? 'the frr container (the debug container was not available, and the FRR image has no such tool)' : access === 'node-pod' ? `the node debug pod's image ${image}` : `the debug image ${image}`;

export default defineCheck({
  id: 'probe-tool-missing',
  title: 'A collection tool is not installed where it ran',
  severity: 'info',
  category: 'collection',
  rank: 6,
  docs: {
    cause:
      'A node command or probe (arping, tcpdump, ss, ip) could not start because its binary is not in the container it ran in: a custom --image without iputils/tcpdump/iproute2 (busybox lacks several), or the fallback to the frr container when ephemeral containers and the node debug pod were unavailable (the FRR image has no arping or tcpdump). The shell answers `sh: arping: not found` (exit 127), the runtime `executable file not found in $PATH`. Checks that need that output (duplicate ARP responders, capture-based diagnoses) could not judge the node; the empty output is not a parse problem. Severity info: it describes the bundle.',
    confirm:
      "jq '.options.image, (.nodes[] | {node, access, steps: [.steps[] | select(.exitCode == 127 or (.reason // \"\" | test(\"not found\")))]})' manifest.json\nkubectl debug -n metallb-system <speaker> -it --target=speaker --image=<image> -- sh -c 'command -v arping tcpdump ss ip'",
    fix: `Collect again with an image that has the tools: --image ${defaultImage}:v0.13 (the default) or another image with iputils arping, tcpdump and iproute2; if the commands fell back to the frr container, allow ephemeral containers (pods/ephemeralcontainers patch) or the node debug pod.`,
    references: [],
  },
  run(model) {
    const found = missingTools(model);
    if (found.length === 0) return [];
    const image = typeof model.manifest?.options?.image === 'string' ? model.manifest.options.image : `${defaultImage} (default)`;
    const groups = new Map<string, MissingTool[]>();
    for (const m of found) {
      const key = `${m.tool}|${m.access ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    const out: Draft[] = [];
    for (const list of groups.values()) {
      const { tool, access } = list[0];
      const nodes = [...new Set(list.map((m) => m.node))].sort();
      // `probe.arping.rest` stands for the probes the collector did not try after the first 127.
      const probes = list.reduce((n, m) => n + (m.step === 'probe.arping.rest' ? Number(/(\d+) more/.exec(m.message)?.[1] ?? 1) : m.step.startsWith('probe.') ? 1 : 0), 0);
      const what = tool === 'arping' ? `${probes || list.length} ARP probe(s) could not run` : tool === 'tcpdump' ? 'the packet capture could not run' : `${list.length} command(s) could not run`;
      const fix = access === 'frr-exec' ? `allow ephemeral containers or the node debug pod so the commands run in ${image}` : `use --image with ${defaultImage} or another image that ships ${tool}`;
      out.push({
        summary: `${tool} is not installed in ${where(access, image)} on ${nodes.join(', ')}: ${what}; ${fix}`,
        subjects: nodes.map((name) => ({ kind: 'Node', name })),
        evidence: list.slice(0, 4).map((m) =>
          m.source === 'manifest'
            ? { path: 'manifest.json', excerpt: JSON.stringify({ node: m.node, access: m.access, step: m.step, reason: m.message }), label: `${m.node}: ${m.step}` }
            : { path: m.files[0], excerpt: m.message, label: `${m.node}: probe output` },
        ),
        remediation: {
          summary: access === 'frr-exec' ? `Allow ephemeral containers (or the node debug pod) so the commands run in a debug image that ships ${tool}, then collect again.` : `Collect again with --image ${defaultImage}:v0.13 (or another image that ships ${tool}).`,
          snippet: `mlb-report collect --image ${defaultImage}:v0.13`,
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
