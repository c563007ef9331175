/**
 * The report and the checks read one announcement model. For every built-in scenario (simulator →
 * collect → analyze → report view), each service row of the report carries the very decision the
 * checks get, its announcer column is that decision's output, and the findings that name an
 * expected announcer, a candidate or a removed node say what the decision says.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Service } from '@kubernetes/client-node';
import { startSim } from '../helpers/sim.js';
import { collect } from '../../src/collect/index.js';
import { analyzeBundle } from '../../src/analyze/index.js';
import { buildView } from '../../src/render/view.js';
import { announceChain } from '../../src/checks/lib/services.js';
import { builtinScenarioNames } from '../../src/sim/scenario/index.js';
import { announceDecisions, nodesBlockedOnlyBy, protocolDecisions, type AnnounceDecision } from '../../src/checks/lib/announce.js';
import type { ClusterModel } from '../../src/model/cluster.js';
import type { Finding } from '../../src/model/finding.js';

async function collectScenario(scenario: string, work: string): Promise<{ model: ClusterModel; findings: Finding[] }> {
  const sim = await startSim(scenario);
  try {
    const collected = await collect({ kubeconfigPath: sim.kubeconfigPath, out: join(work, scenario), captureSeconds: 1, formats: ['json'], timeoutMs: 120_000, renderer: 'silent', tar: false });
    const { model, findings } = await analyzeBundle(collected.dir);
    return { model, findings };
  } finally {
    await sim.stop();
  }
}

const keyOf = (svc: V1Service) => `${svc.metadata?.namespace}/${svc.metadata?.name}`;

/** The decision of the service a finding names as its first Service subject. */
function decisionOf(finding: Finding, byKey: Map<string, AnnounceDecision>): AnnounceDecision | undefined {
  const subject = finding.subjects.find((s) => s.kind === 'Service');
  return subject ? byKey.get(`${subject.namespace}/${subject.name}`) : undefined;
}

/** Checks every finding that names what the model decides; returns how many it compared. */
function assertFindingsAgree(scenario: string, findings: Finding[], byKey: Map<string, AnnounceDecision>): number {
  let compared = 0;
  for (const f of findings) {
    const d = decisionOf(f, byKey);
    const nodes = f.subjects.filter((s) => s.kind === 'Node').map((s) => s.name);
    const where = `${scenario} ${f.id}: ${f.summary}`;
    if (f.id === 'l2-leader-mismatch') {
      const picked = /picks (\S+)/.exec(f.summary)?.[1];
      assert.equal(picked, d?.l2?.leader, where);
      assert.ok(f.evidence.some((e) => e.excerpt.includes(`"order"`) && e.excerpt.includes(`"${d?.l2?.candidates[0]}"`)), `${where}: the evidence shows the model's order`);
      compared++;
    } else if (f.id === 'l2-announcer-interface-down' && f.summary.includes('recomputed leader')) {
      assert.equal(nodes[0], d?.l2?.leader, where);
      compared++;
    } else if (f.id === 'ip-not-advertised') {
      for (const s of f.subjects.filter((x) => x.kind === 'Service')) assert.equal(byKey.get(`${s.namespace}/${s.name}`)?.stop?.kind, 'advertisement', where);
      compared++;
    } else if (f.id === 'speaker-missing') {
      // Every service it names would be announced from this node by the model, were the speaker ready.
      const node = nodes[0];
      for (const m of f.summary.matchAll(/(\S+\/\S+) \((layer2|bgp)\)/g)) {
        const p = protocolDecisions(byKey.get(m[1])!).find((x) => x.protocol === m[2]);
        assert.ok(p && nodesBlockedOnlyBy(p, ['speaker', 'endpoints']).includes(node), `${where}: ${node} is a ${m[2]} candidate of ${m[1]} but for its speaker`);
      }
      compared++;
    } else if (f.id === 'node-excluded-from-lb' || f.id === 'node-network-unavailable') {
      const kind = f.id === 'node-excluded-from-lb' ? 'exclude-label' : 'network-unavailable';
      for (const node of nodes) {
        const blocked = [...byKey.values()].some((x) => protocolDecisions(x).some((p) => p.blockers.get(node)?.some((b) => b.kind === kind)));
        assert.ok(blocked, `${where}: the model blocks ${node} at the ${kind} step`);
      }
      compared++;
    } else if (f.id === 'announcer-eligibility' && d && /no node may announce it over (layer 2|BGP)/.test(f.summary)) {
      // The rule it names removed the model's last candidate of that protocol.
      const p = protocolDecisions(d).find((x) => x.protocol === (/over layer 2/.test(f.summary) ? 'layer2' : 'bgp'));
      assert.deepEqual(p?.announcers, [], where);
      const last = p?.emptiedBy?.removed.at(-1);
      assert.ok(last && f.summary.includes(`(${last.node}: ${last.why})`), `${where}: names the model's last removal`);
      compared++;
    } else if (f.id === 'etp-local-no-endpoint' && d) {
      const usable = protocolDecisions(d).flatMap((p) => nodesBlockedOnlyBy(p, ['exclude-label', 'network-unavailable', 'bgp-peer']));
      if (/announced nowhere/.test(f.summary)) assert.deepEqual(usable, [], where);
      compared++;
    }
  }
  return compared;
}

const scenarios = builtinScenarioNames();

/** Scenarios whose findings must include one the comparison reads (a guard against comparing nothing). */
const comparedFindingIn = ['no-advertisement', 'speaker-missing', 'l2-interface-down', 'l2-advertisement-nodeselector-no-match', 'bgp-peer-nodeselector-mismatch'];

describe('report and checks read one announcement model', { concurrency: 3 }, () => {
  for (const scenario of scenarios) {
    test(scenario, { timeout: 180_000 }, async () => {
      const work = await mkdtemp(join(tmpdir(), 'mlb-announce-'));
      try {
        const { model, findings } = await collectScenario(scenario, work);
        const decisions = announceDecisions(model);
        const byKey = new Map([...decisions.values()].map((d) => [d.key, d]));
        const view = await buildView(model, findings, { now: new Date('2026-12-01T00:00:00Z') });
        const lbServices = model.kube.services.filter((s) => s.spec?.type === 'LoadBalancer');
        assert.equal(view.services.length, lbServices.length, `${scenario}: one row per LoadBalancer service`);
        for (const row of view.services) {
          const svc = lbServices.find((s) => keyOf(s) === `${row.namespace}/${row.name}`)!;
          const d = decisions.get(svc);
          assert.ok(d, `${scenario} ${row.name}: the checks have a decision for the row`);
          // The very object the checks read, not a copy computed again.
          assert.equal(row.decision, d, `${scenario} ${row.name}: same decision object`);
          assert.equal(row.l2?.expected, d.l2?.announcers[0], `${scenario} ${row.name}: L2 announcer column`);
          assert.deepEqual(row.expectedBgpNodes, d.bgp?.announcers ?? [], `${scenario} ${row.name}: BGP announcer column`);
          for (const node of d.announcers.slice(0, 8)) assert.ok(row.expectedText.includes(node), `${scenario} ${row.name}: ${node} in "${row.expectedText}"`);
          assert.deepEqual(row.chain, announceChain(d), `${scenario} ${row.name}: the chain is the model's steps`);
          if (d.l2?.leader) assert.match(row.chain.join('\n'), new RegExp(`leader ${d.l2.leader}`), `${scenario} ${row.name}: the chain names the leader`);
        }
        if (scenario.startsWith('healthy-')) assert.ok([...decisions.values()].some((d) => d.announcers.length > 0), `${scenario}: some service has an expected announcer`);
        const compared = assertFindingsAgree(scenario, findings, byKey);
        if (comparedFindingIn.includes(scenario)) assert.ok(compared > 0, `${scenario}: a finding about announcers was compared`);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  }
  test('built-in scenarios exist', () => assert.ok(scenarios.length > 0));
});
