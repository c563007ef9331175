import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseTable, l2Base } from './helpers.js';
import { announcerOf } from './probe-lines.js';
import { parse, ruleMentions } from '../../src/parse/kube-proxy-rules.js';

const leader = announcerOf(l2Base(), 'default/web');
const iptables = [
  '--- iptables-save -t nat',
  '-A KUBE-SERVICES -d 192.0.2.100/32 -p tcp -m comment --comment "default/web loadbalancer IP" -m tcp --dport 80 -j KUBE-EXT-B5LRGGAQPNGPCJDN',
  '-A KUBE-EXT-B5LRGGAQPNGPCJDN -j KUBE-SVC-B5LRGGAQPNGPCJDN',
].join('\n');
const rules = (text: string) => ({ nodeFiles: { [leader]: { 'net/kube-proxy-rules.txt': `${text}\n` } } });
const kubeProxy = 'mode: iptables\n';

caseTable('kube-proxy-rule-missing', [
  { name: 'iptables has the LB IP', spec: l2Base(rules(iptables)), fires: false },
  { name: 'IPVS has the virtual server', spec: l2Base(rules('--- ipvsadm -Ln\nTCP  192.0.2.100:80 rr\n  -> 10.244.0.10:80              Masq    1      0          0')), fires: false },
  { name: 'no kube-proxy state and no kube-proxy ConfigMap (a replacement such as Cilium)', spec: l2Base(rules('--- none: looked for KUBE- chains in iptables-save -t nat, nft table ip kube-proxy, IPVS virtual servers')), fires: false },
  { name: 'the container had none of the tools (FRR image after a fallback), although the cluster runs kube-proxy', spec: l2Base({ ...rules('--- unavailable: no iptables-save, nft or ipvsadm in this container'), kubeProxy }), fires: false },
  { name: 'a longer address that starts like the IP does not count', spec: l2Base(rules('--- iptables-save -t nat\n-A KUBE-SERVICES -d 192.0.2.1000/32 -j KUBE-EXT-X')), fires: true },
  {
    name: 'iptables section without the IP',
    spec: l2Base(rules('--- iptables-save -t nat')),
    fires: true,
    check: (f) => {
      assert.match(f[0]!.summary, new RegExp(`^${leader} announces 192\\.0\\.2\\.100 \\(default/web\\) but its kube-proxy rules have nothing for it \\(looked in iptables\\)`));
      assert.equal(f[0]!.evidence[0]!.path, `nodes/${leader}/net/kube-proxy-rules.txt`);
    },
  },
  {
    name: 'no kube-proxy state although the cluster has a kube-proxy ConfigMap',
    spec: l2Base({ ...rules('--- none: looked for KUBE- chains in iptables-save -t nat, nft table ip kube-proxy, IPVS virtual servers'), kubeProxy }),
    fires: true,
    check: (f) => assert.match(f[0]!.summary, /looked in any kube-proxy table \(the cluster has a kube-proxy ConfigMap\)/),
  },
]);

test('kube-proxy rules: sections per tool, the none line, whole-address matches', () => {
  const r = parse(`${iptables}\n--- nft list table ip kube-proxy\n\t\t\t     192.0.2.101 . tcp . 443 : goto external-ABCD1234-default/api/tcp/https,\n`, 'r');
  assert.deepEqual(r.notes, []);
  assert.deepEqual(r.value.sections.map((s) => [s.tool, s.lines.length]), [['iptables', 2], ['nftables', 1]]);
  assert.equal(ruleMentions(r.value, '192.0.2.100').length, 1);
  assert.equal(ruleMentions(r.value, '192.0.2.101').length, 1);
  assert.equal(ruleMentions(r.value, '192.0.2.10').length, 0);
  assert.equal(parse('--- none: looked for X\n', 'r').value.none, 'looked for X');
});
