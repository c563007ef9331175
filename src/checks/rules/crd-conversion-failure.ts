import type { LogRecord, LogStream } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence } from '../lib/evidence.js';
import { logRecords, metallbNamespace } from '../lib/model.js';

/**
 * The API server's text when it cannot convert stored objects of a multi-version CRD
 * (apiextensions-apiserver webhook converter: `conversion webhook for <group/version>, Kind=<Kind>
 * failed: <cause>`), as the collection records a failed list and client-go reflectors log it.
 */
const conversionError = /conversion webhook for ([\w.-]+\/\w+), Kind=(\w+) failed: (.*)/;
/** `Post "https://<svc>.<ns>.svc:443/convert?timeout=30s": <error>` → service and error. */
const postTarget = /Post "?https:\/\/([\w-]+)\.([\w-]+)\.svc[^\s"]*"?: (.*)$/;

export default defineCheck({
  id: 'crd-conversion-failure',
  title: 'MetalLB resource cannot be read: CRD conversion webhook failing',
  severity: 'error',
  category: 'install',
  rank: 93,
  docs: {
    cause:
      'BGPPeer is served in v1beta1 and v1beta2 and the API server converts between them by calling the controller’s conversion webhook (the CRD’s spec.conversion.webhook.clientConfig, metallb-webhook-service /convert). When that call fails (the Service the CRD names does not exist, e.g. a chart that names it differently; no ready controller behind it; a caBundle that does not match the serving certificate) every read of the resource answers 500, for kubectl, for this collection and for MetalLB’s own informers. The objects are invisible: nothing in the bundle about them can be trusted to be complete, and a speaker that restarts comes up without them.',
    confirm:
      'kubectl get bgppeers.metallb.io -A   # Error from server: conversion webhook for metallb.io/v1beta1, Kind=BGPPeer failed: ...\nkubectl get crd bgppeers.metallb.io -o jsonpath="{.spec.conversion.webhook.clientConfig}"\nkubectl get svc,endpointslices -n metallb-system | grep webhook',
    fix: 'Point the CRD’s conversion clientConfig at the Service that exists (or create the Service it names), make the controller ready so the Service has endpoints, and let the controller re-inject the caBundle (restart it). Then migrate stored objects to the storage version (kubectl get -o yaml | kubectl apply) so reads stop needing conversion.',
    references: ['bitnami/charts#24846', 'metallb/metallb#2679', 'metallb/metallb#1731', 'https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/#webhook-conversion'],
    threads: ['https://github.com/bitnami/charts/issues/24846', 'https://github.com/metal-stack/gardener-extension-provider-metal/issues/480'],
  },
  run(model) {
    const out: Draft[] = [];
    const ns = metallbNamespace(model);
    // Failed collection steps, keyed by the Kind the message names.
    const byKind = new Map<string, { version: string; cause: string; steps: string[]; logs: Map<string, { stream: LogStream; records: LogRecord[] }> }>();
    const entry = (kind: string, version: string, cause: string) => {
      let e = byKind.get(kind);
      if (!e) byKind.set(kind, (e = { version, cause, steps: [], logs: new Map() }));
      return e;
    };
    for (const s of model.manifest?.clusterSteps ?? []) {
      if (s.status !== 'failed') continue;
      const m = conversionError.exec(s.reason ?? '');
      if (m) entry(m[2]!, m[1]!, m[3]!).steps.push(s.step);
    }
    for (const { stream, record, text } of logRecords(model)) {
      // The message alone: the record's other fields follow it in `text`.
      const m = conversionError.exec(typeof record.msg === 'string' && record.msg ? record.msg : text);
      if (!m) continue;
      const e = entry(m[2]!, m[1]!, m[3]!);
      const hit = e.logs.get(stream.path) ?? { stream, records: [] };
      hit.records.push(record);
      e.logs.set(stream.path, hit);
    }
    for (const [kind, e] of byKind) {
      const target = postTarget.exec(e.cause);
      const service = target ? `${target[2]}/${target[1]}` : undefined;
      const error = (target?.[3] ?? e.cause).replace(/"$/, '');
      const evidence: Evidence[] = [];
      if (e.steps.length) {
        const steps = (model.manifest?.clusterSteps ?? []).filter((s) => e.steps.includes(s.step)).map((s) => ({ step: s.step, status: s.status, reason: s.reason }));
        evidence.push({ path: 'manifest.json', excerpt: JSON.stringify(steps, null, 1), label: 'collection steps that could not list the resource' });
      }
      for (const h of [...e.logs.values()].slice(0, 2)) evidence.push(logEvidence(model, h.stream, h.records));
      const readers = [e.steps.length ? 'this collection' : '', e.logs.size ? `${e.logs.size} MetalLB container log(s)` : ''].filter(Boolean).join(' and ');
      out.push({
        summary: `${kind} objects cannot be read: the API server's conversion webhook call fails${service ? ` (Service ${service}: ${error})` : `: ${error}`}; seen by ${readers}`,
        subjects: [{ kind: 'CustomResourceDefinition', name: `${kind.toLowerCase()}s.${e.version.split('/')[0]}` }],
        evidence,
        remediation: {
          summary: service && /not found/.test(error) ? `The CRD's conversion webhook names Service ${service}, which does not exist: point it at the webhook Service the installation created.` : 'Make the conversion webhook reachable: a ready controller behind the webhook Service and a caBundle that matches its certificate.',
          snippet: `kubectl get crd ${kind.toLowerCase()}s.${e.version.split('/')[0]} -o jsonpath='{.spec.conversion.webhook.clientConfig.service}'\nkubectl get svc -n ${ns} | grep webhook\nkubectl patch crd ${kind.toLowerCase()}s.${e.version.split('/')[0]} --type merge -p '{"spec":{"conversion":{"webhook":{"clientConfig":{"service":{"name":"metallb-webhook-service","namespace":"${ns}"}}}}}}'`,
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
