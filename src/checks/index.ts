/**
 * The check registry: every rule in src/checks/rules, in id order, and the runner that turns their
 * drafts into findings. A rule that throws becomes a finding of its own, never a crash of analyze.
 */
import type { Check, Finding } from '../model/finding.js';
import type { ClusterModel } from '../model/cluster.js';
import { errorMessage } from '../util/errors.js';
import apiRequestsFailing from './rules/api-requests-failing.js';
import announcerEligibility from './rules/announcer-eligibility.js';
import arpRepliesLost from './rules/arp-replies-lost.js';
import kubeProxyRuleMissing from './rules/kube-proxy-rule-missing.js';
import lbIpSynUnanswered from './rules/lb-ip-syn-unanswered.js';
import rpFilterAsymmetricRoute from './rules/rp-filter-asymmetric-route.js';
import apiUnreachableFromNode from './rules/api-unreachable-from-node.js';
import controllerDnsFailure from './rules/controller-dns-failure.js';
import controllerWebhookNotListening from './rules/controller-webhook-not-listening.js';
import endpointsUnreachableFromNode from './rules/endpoints-unreachable-from-node.js';
import lbIpNotForwarded from './rules/lb-ip-not-forwarded.js';
import memberlistPortBlocked from './rules/memberlist-port-blocked.js';
import bfdDown from './rules/bfd-down.js';
import bgpAdvertisementWithoutPeer from './rules/bgp-advertisement-without-peer.js';
import bgpAsnRouteridInconsistent from './rules/bgp-asn-routerid-inconsistent.js';
import bgpMultihopMissing from './rules/bgp-multihop-missing.js';
import bgpRouterSingleSession from './rules/bgp-router-single-session.js';
import bgpPrefixNotAdvertised from './rules/bgp-prefix-not-advertised.js';
import bgpAdvertisedNoTraffic from './rules/bgp-advertised-no-traffic.js';
import bgpSessionDown from './rules/bgp-session-down.js';
import bgpSessionFlapping from './rules/bgp-session-flapping.js';
import captureEmpty from './rules/capture-empty.js';
import cloudAntispoofing from './rules/cloud-antispoofing.js';
import collectionGap from './rules/collection-gap.js';
import configInvalid from './rules/config-invalid.js';
import conflictingLbImplementation from './rules/conflicting-lb-implementation.js';
import controllerNotReady from './rules/controller-not-ready.js';
import crdConversionFailure from './rules/crd-conversion-failure.js';
import deprecatedAnnotation from './rules/deprecated-annotation.js';
import debugContainerPodSecurity from './rules/debug-container-pod-security.js';
import etpLocalNoEndpoint from './rules/etp-local-no-endpoint.js';
import foreignBgpListener from './rules/foreign-bgp-listener.js';
import frrConfigDrift from './rules/frr-config-drift.js';
import frrReloadFailed from './rules/frr-reload-failed.js';
import ipNotAdvertised from './rules/ip-not-advertised.js';
import ipSharingError from './rules/ip-sharing-error.js';
import kubeProxyIpvsStrictarp from './rules/kube-proxy-ipvs-strictarp.js';
import kubeletUnreachable from './rules/kubelet-unreachable.js';
import l2AnnouncerInterfaceDown from './rules/l2-announcer-interface-down.js';
import l2AnnouncerMismatch from './rules/l2-announcer-mismatch.js';
import l2DuplicateMac from './rules/l2-duplicate-mac.js';
import l2InterfaceMissing from './rules/l2-interface-missing.js';
import l2LeaderMismatch from './rules/l2-leader-mismatch.js';
import l2MultipleAnnouncers from './rules/l2-multiple-announcers.js';
import l2MultipleInterfaces from './rules/l2-multiple-interfaces.js';
import loadBalancerClassMismatch from './rules/load-balancer-class-mismatch.js';
import logsMissing from './rules/logs-missing.js';
import memberlistJoinFailures from './rules/memberlist-join-failures.js';
import memberlistPortNotListening from './rules/memberlist-port-not-listening.js';
import metallbObjectsWrongNamespace from './rules/metallb-objects-wrong-namespace.js';
import nodeExcludedFromLb from './rules/node-excluded-from-lb.js';
import nodeNetworkUnavailable from './rules/node-network-unavailable.js';
import parseNotes from './rules/parse-notes.js';
import poolExhausted from './rules/pool-exhausted.js';
import poolOverlap from './rules/pool-overlap.js';
import poolOverlapsNodeIp from './rules/pool-overlaps-node-ip.js';
import probeToolMissing from './rules/probe-tool-missing.js';
import serviceNoEndpoints from './rules/service-no-endpoints.js';
import servicePending from './rules/service-pending.js';
import speakerMissing from './rules/speaker-missing.js';
import speakerRestarting from './rules/speaker-restarting.js';
import webhookCertInjectionFailed from './rules/webhook-cert-injection-failed.js';
import webhookFailure from './rules/webhook-failure.js';
import wirelessInterface from './rules/wireless-interface.js';

export const allChecks: Check[] = [
  announcerEligibility,
  apiRequestsFailing,
  apiUnreachableFromNode,
  arpRepliesLost,
  bfdDown,
  bgpAdvertisementWithoutPeer,
  bgpAsnRouteridInconsistent,
  bgpMultihopMissing,
  bgpPrefixNotAdvertised,
  bgpAdvertisedNoTraffic,
  bgpRouterSingleSession,
  bgpSessionDown,
  bgpSessionFlapping,
  captureEmpty,
  cloudAntispoofing,
  collectionGap,
  configInvalid,
  conflictingLbImplementation,
  controllerDnsFailure,
  controllerNotReady,
  controllerWebhookNotListening,
  crdConversionFailure,
  deprecatedAnnotation,
  endpointsUnreachableFromNode,
  etpLocalNoEndpoint,
  foreignBgpListener,
  debugContainerPodSecurity,
  frrConfigDrift,
  frrReloadFailed,
  ipNotAdvertised,
  ipSharingError,
  kubeProxyIpvsStrictarp,
  kubeProxyRuleMissing,
  l2AnnouncerInterfaceDown,
  l2AnnouncerMismatch,
  kubeletUnreachable,
  l2DuplicateMac,
  l2InterfaceMissing,
  l2LeaderMismatch,
  l2MultipleAnnouncers,
  l2MultipleInterfaces,
  lbIpNotForwarded,
  loadBalancerClassMismatch,
  logsMissing,
  lbIpSynUnanswered,
  memberlistJoinFailures,
  memberlistPortBlocked,
  memberlistPortNotListening,
  metallbObjectsWrongNamespace,
  nodeExcludedFromLb,
  nodeNetworkUnavailable,
  parseNotes,
  poolExhausted,
  poolOverlap,
  poolOverlapsNodeIp,
  probeToolMissing,
  rpFilterAsymmetricRoute,
  serviceNoEndpoints,
  servicePending,
  speakerMissing,
  speakerRestarting,
  webhookCertInjectionFailed,
  webhookFailure,
  wirelessInterface,
];

export function checkById(id: string): Check | undefined {
  return allChecks.find((c) => c.id === id);
}

export interface RunOptions {
  /** Only these check ids (default: all). */
  only?: string[];
}

/** Runs every check on the model; findings come back unranked (see rank.ts). */
export function runChecks(model: ClusterModel, opts: RunOptions = {}): Finding[] {
  const out: Finding[] = [];
  for (const check of allChecks) {
    if (opts.only && !opts.only.includes(check.id)) continue;
    let drafts: ReturnType<Check['run']>;
    try {
      drafts = check.run(model);
    } catch (e) {
      out.push({
        id: 'check-crashed',
        severity: 'info',
        category: 'collection',
        title: 'A check could not run',
        summary: `Check ${check.id} failed on this bundle: ${errorMessage(e)}`,
        subjects: [{ kind: 'Check', name: check.id }],
        evidence: [],
        remediation: { summary: 'Report this with the bundle; the other checks are unaffected.' },
        rank: 0,
      });
      continue;
    }
    for (const d of drafts) {
      const { severity, rank, ...rest } = d as Partial<Finding> & Omit<Finding, 'id' | 'severity' | 'category' | 'title'>;
      // Identity first, so findings.json reads top-down.
      out.push({ id: check.id, severity: severity ?? check.severity, category: check.category, title: check.title, ...rest, rank: rank ?? check.rank });
    }
  }
  return out;
}
