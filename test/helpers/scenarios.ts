/**
 * Built-in scenarios for the tests that take every scenario through the collector, the simulated
 * API server or the report renderer (collect, redact-ips, serve, render).
 *
 * Scenarios written from a public thread (their description starts with "Source:") vary the MetalLB
 * configuration the checks read: services, pools, advertisements, node labels. The analysis e2e
 * and the announcement agreement test run every one of them; these tests, which each cost seconds per
 * scenario, take those of them that bring something of their own to collect, serve or render (a
 * Service or Event given verbatim, IPv6 addresses, a custom Kubernetes version and appended logs, a
 * single node, frr-k8s with two routers, a restarted frr container) and every other scenario.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinScenarioNames } from '../../src/sim/scenario/index.js';

const scenarioDir = join(import.meta.dirname, '..', '..', 'fixtures', 'scenarios');

/** Thread-derived scenarios with a shape of their own for the collector, server and renderer. */
export const threadScenariosWithOwnShape = new Set([
  'k3s-servicelb-conflict',
  'frr-k8s-peer-zone-unlabelled',
  'frr-container-probe-restarts',
  'pending-dual-stack-ipv4-pool',
  'pending-requested-ip-family-mismatch',
  'l2-advertisement-interface-missing',
  'single-node-exclude-label',
]);

export function isThreadScenario(name: string): boolean {
  return /^description: >-?\s*\n\s+Source:/m.test(readFileSync(join(scenarioDir, `${name}.yaml`), 'utf8'));
}

export function infrastructureScenarios(): string[] {
  return builtinScenarioNames().filter((name) => !isThreadScenario(name) || threadScenariosWithOwnShape.has(name));
}
