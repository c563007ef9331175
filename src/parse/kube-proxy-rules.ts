/**
 * `net/kube-proxy-rules.txt`: the catalogue's data-path rules script, sections after `--- <tool>`
 * lines, each holding only the lines about the LoadBalancer IPs:
 *   --- iptables-save -t nat
 *   -A KUBE-SERVICES -d 198.51.100.100/32 -p tcp -m comment --comment "shop/web:http loadbalancer IP" -m tcp --dport 80 -j KUBE-EXT-…
 *   --- nft list table ip kube-proxy
 *   			     198.51.100.100 . tcp . 80 : goto external-…,
 *   --- ipvsadm -Ln
 *   TCP  198.51.100.100:80 rr
 *   --- none: looked for …
 */
import { cleanText, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { KubeProxyRules } from '../model/cluster.js';

const tools: Record<string, KubeProxyRules['sections'][number]['tool']> = {
  'iptables-save -t nat': 'iptables',
  'nft list table ip kube-proxy': 'nftables',
  'ipvsadm -Ln': 'ipvs',
};

export function parse(text: string, path: string): Parsed<KubeProxyRules> {
  const notes = new NoteSink(path);
  const out: KubeProxyRules = { path, sections: [] };
  const t = cleanText(text);
  if (looksBinary(t)) {
    notes.add('not data-path rules output: binary data');
    return notes.result(out);
  }
  for (const line of t.split('\n')) {
    const head = /^--- (.*)$/.exec(line);
    if (head) {
      if (head[1]!.startsWith('none')) out.none = head[1]!.replace(/^none:\s*/, '');
      else if (head[1]!.startsWith('unavailable')) out.unavailable = head[1]!.replace(/^unavailable:\s*/, '');
      else {
        const tool = tools[head[1]!];
        if (tool) out.sections.push({ tool, lines: [] });
        else notes.add(`unknown section: ${head[1]!.slice(0, 80)}`);
      }
      continue;
    }
    if (line.trim() === '') continue;
    const cur = out.sections[out.sections.length - 1];
    if (cur) cur.lines.push(line);
    else notes.add(`line outside a section: ${line.slice(0, 80)}`);
  }
  return notes.result(out);
}

/** Does any rule line name `ip` (as a whole address)? */
export function ruleMentions(rules: KubeProxyRules, ip: string): string[] {
  const re = new RegExp(`(^|[^0-9a-fA-F.:])${ip.replace(/[.:]/g, (c) => `\\${c}`)}([^0-9a-fA-F]|$)`);
  return rules.sections.flatMap((s) => s.lines.filter((l) => re.test(l)));
}
