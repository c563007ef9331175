/**
 * JSON Schema of a scenario file. `fixtures/schemas/scenario.schema.json` is the same document for
 * editors (a test keeps the two identical; regenerate with
 * `node --import tsx src/sim/scenario/schema.ts > fixtures/schemas/scenario.schema.json`).
 */
import type { JsonSchema } from './jsonschema.js';

const str: JsonSchema = { type: 'string' };
const ipv4: JsonSchema = { type: 'string', format: 'ipv4' };
const cidr4: JsonSchema = { type: 'string', pattern: '^(\\d{1,3}\\.){3}\\d{1,3}/(\\d|[12]\\d|3[0-2])$' };
const labels: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const nodeName: JsonSchema = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$' };
const podHealth: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ready: { type: 'boolean' },
    restarts: { type: 'integer', minimum: 0 },
    lastTerminationReason: str,
    container: str,
  },
};
const component: JsonSchema = { enum: ['speaker', 'controller', 'frr-k8s'] };
const fraction: JsonSchema = { type: 'number', minimum: 0, maximum: 1 };
const verbList: JsonSchema = { type: 'array', items: { enum: ['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'] } };

const faultSchemas: JsonSchema[] = [
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'verb', 'resource'],
    properties: { type: { const: 'rbac-deny' }, verb: str, resource: str, subresource: str, group: str, namespace: str, name: str },
  },
  { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'ephemeral-unsupported' } } },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'image-pull-failure' }, image: str, nodes: { type: 'array', items: str } },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'ms'],
    properties: { type: { const: 'slow-container-start' }, ms: { type: 'integer', minimum: 0 }, nodes: { type: 'array', items: str } },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'afterBytes'],
    properties: {
      type: { const: 'exec-cut' },
      nodes: { type: 'array', items: str },
      containers: { type: 'array', items: str },
      commandContains: str,
      afterBytes: { type: 'integer', minimum: 0 },
    },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: { type: { const: 'exec-hang' }, nodes: { type: 'array', items: str }, containers: { type: 'array', items: str }, commandContains: str },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'pod', 'when'],
    properties: {
      type: { const: 'pod-deleted' },
      pod: str,
      namespace: str,
      when: {
        oneOf: [
          { enum: ['on-ephemeral-patch', 'on-first-exec'] },
          { type: 'object', additionalProperties: false, required: ['afterMs'], properties: { afterMs: { type: 'integer', minimum: 0 } } },
        ],
      },
    },
  },
  { type: 'object', additionalProperties: false, required: ['type', 'node'], properties: { type: { const: 'node-not-ready' }, node: str } },
  { type: 'object', additionalProperties: false, required: ['type', 'node'], properties: { type: { const: 'node-unresponsive' }, node: str } },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'ms'],
    properties: { type: { const: 'api-latency' }, ms: { type: 'integer', minimum: 0 }, jitterMs: { type: 'integer', minimum: 0 } },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'resource'],
    properties: { type: { const: 'conversion-webhook-failure' }, resource: str, group: str, service: str, error: str },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'fraction'],
    properties: { type: { const: 'api-throttle' }, fraction: fraction, retryAfterSeconds: { type: 'integer', minimum: 0 }, verbs: verbList, seed: { type: 'integer' } },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'fraction'],
    properties: { type: { const: 'api-unavailable' }, fraction: fraction, status: { enum: [500, 503, 504] }, verbs: verbList, seed: { type: 'integer' } },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'fraction'],
    properties: { type: { const: 'connection-reset' }, fraction: fraction, verbs: verbList, seed: { type: 'integer' } },
  },
  { type: 'object', additionalProperties: false, required: ['type', 'afterMs'], properties: { type: { const: 'watch-expired' }, afterMs: { type: 'integer', minimum: 0 } } },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'nodes'],
    properties: { type: { const: 'kubelet-unreachable' }, nodes: { type: 'array', items: str, minItems: 1 }, dialTimeoutMs: { type: 'integer', minimum: 0 } },
  },
  {
    type: 'object',
    additionalProperties: false,
    required: ['type', 'level'],
    properties: { type: { const: 'pod-security' }, level: { enum: ['baseline', 'restricted'] }, namespaces: { type: 'array', items: str } },
  },
];

export const faultTypes = faultSchemas.map((s) => (s.properties!.type as JsonSchema).const as string);

const logLine: JsonSchema = {
  oneOf: [
    { type: 'string' },
    { type: 'object', additionalProperties: false, required: ['text'], properties: { ts: { type: 'string', format: 'date-time' }, text: str } },
    // A MetalLB JSON log record; `msg` or `event` tells it apart from {ts,text}.
    { type: 'object', anyOf: [{ required: ['msg'] }, { required: ['event'] }, { required: ['op'] }] },
  ],
};

export const scenarioSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'mlb-report simulator scenario',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'install', 'nodes'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    description: str,
    kubernetesVersion: { type: 'string', pattern: '^v1\\.\\d+\\.\\d+$' },
    time: { type: 'string', format: 'date-time' },
    install: {
      type: 'object',
      additionalProperties: false,
      required: ['version', 'mode'],
      properties: {
        version: { type: 'string', pattern: '^v0\\.1[3-6]\\.\\d+$', description: 'MetalLB release v0.13.x … v0.16.x' },
        mode: { enum: ['native', 'frr', 'frr-k8s'] },
        method: { enum: ['manifest', 'helm', 'operator'] },
        namespace: nodeName,
        helmRelease: nodeName,
        logLevel: { enum: ['all', 'debug', 'info', 'warn', 'error', 'none'] },
        controllerNode: nodeName,
        controller: podHealth,
      },
    },
    kubeProxy: {
      type: 'object',
      additionalProperties: false,
      required: ['mode'],
      properties: { mode: { enum: ['iptables', 'ipvs', 'nftables'] }, strictARP: { type: 'boolean' } },
    },
    nodes: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: nodeName,
          ip: ipv4,
          labels,
          taints: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['key', 'effect'],
              properties: { key: str, value: str, effect: { enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] } },
            },
          },
          controlPlane: { type: 'boolean' },
          conditions: {
            type: 'object',
            additionalProperties: false,
            properties: { Ready: { enum: ['True', 'False', 'Unknown'] }, NetworkUnavailable: { enum: ['True', 'False'] } },
          },
          speaker: { oneOf: [{ const: 'absent' }, podHealth] },
          frrk8s: podHealth,
          mac: { type: 'string', pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$' },
          providerID: str,
          interfaces: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: {
                name: { type: 'string', pattern: '^[a-zA-Z0-9][a-zA-Z0-9._-]{0,14}$' },
                kind: { enum: ['ether', 'ipoib', 'wireless', 'vlan', 'bond'] },
                members: { type: 'array', items: str },
                address: cidr4,
                mac: { type: 'string', pattern: '^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}([0-9a-fA-F:]{42})?$' },
                up: { type: 'boolean' },
                promisc: { type: 'boolean' },
                parent: str,
                vlanId: { type: 'integer', minimum: 1, maximum: 4094 },
              },
            },
          },
          arpRepliesDropped: { type: 'boolean' },
          arpRequestsDropped: { type: 'boolean' },
        },
      },
    },
    services: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: nodeName,
          namespace: nodeName,
          ip: ipv4,
          pool: str,
          ports: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['port'],
              properties: {
                name: str,
                port: { type: 'integer', minimum: 1, maximum: 65535 },
                targetPort: { type: 'integer', minimum: 1, maximum: 65535 },
                protocol: { enum: ['TCP', 'UDP'] },
              },
            },
          },
          externalTrafficPolicy: { enum: ['Cluster', 'Local'] },
          endpoints: { type: 'array', items: nodeName },
          unreadyEndpoints: { type: 'array', items: nodeName },
          allocationError: str,
          announcedBy: { type: 'array', items: nodeName },
          annotations: labels,
          requestedIP: ipv4,
        },
      },
    },
    objects: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'metadata'],
        properties: {
          apiVersion: str,
          kind: str,
          metadata: { type: 'object', required: ['name'], properties: { name: str, namespace: str } },
        },
      },
    },
    logs: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['container', 'lines'],
        properties: {
          pod: str,
          namespace: str,
          component,
          node: nodeName,
          container: str,
          previous: { type: 'boolean' },
          mode: { enum: ['append', 'replace'] },
          lines: { type: 'array', items: logLine },
        },
      },
    },
    faults: { type: 'array', items: { oneOf: faultSchemas } },
    dataplane: {
      type: 'object',
      additionalProperties: false,
      properties: {
        segment: cidr4,
        interface: str,
        routers: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'address', 'asn'],
            properties: {
              name: nodeName,
              address: ipv4,
              asn: { type: 'integer', minimum: 1, maximum: 4294967295 },
              routerId: ipv4,
              password: str,
              bfd: { type: 'boolean' },
              rejectPrefixes: { type: 'array', items: cidr4 },
              bgpdStopped: { type: 'boolean' },
              bfdStopped: { type: 'boolean' },
              expectPeerAsn: { type: 'integer', minimum: 1, maximum: 4294967295 },
              singleSession: { type: 'boolean' },
              singleSessionNode: nodeName,
            },
          },
        },
        announce: { type: 'object', additionalProperties: { type: 'array', items: nodeName } },
        nodes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              linksDown: { type: 'array', items: str },
              extraListeners: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['port', 'process'],
                  properties: {
                    port: { type: 'integer', minimum: 1, maximum: 65535 },
                    process: str,
                    address: str,
                    proto: { enum: ['tcp', 'udp'] },
                  },
                },
              },
              sysctls: { type: 'object', additionalProperties: { type: 'string' } },
              routerIdOverride: ipv4,
              ipvsAddresses: { type: 'array', items: ipv4 },
              vrfs: { type: 'array', items: str },
            },
          },
        },
      },
    },
    dataPath: {
      type: 'object',
      additionalProperties: false,
      properties: {
        memberlistBlocked: { type: 'array', items: { type: 'array', items: nodeName, minItems: 2, maxItems: 2 } },
        apiUnreachableFrom: { type: 'array', items: nodeName },
        endpointsUnreachableFrom: { type: 'array', items: nodeName },
        lbIpsNotForwardedOn: { type: 'array', items: nodeName },
        clientTraffic: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['ip', 'port', 'answer'], properties: { ip: ipv4, port: { type: 'integer', minimum: 1, maximum: 65535 }, answer: { enum: ['syn-ack', 'rst', 'none'] } } } },
        defaultRoutes: { type: 'object', additionalProperties: { type: 'object', additionalProperties: false, required: ['dev', 'gateway'], properties: { dev: str, gateway: ipv4 } } },
        controller: {
          type: 'object',
          additionalProperties: false,
          properties: {
            dns: { enum: ['ok', 'timeout', 'nxdomain'] },
            webhookListening: { type: 'boolean' },
            apiReachable: { type: 'boolean' },
          },
        },
      },
    },
    bgpSessions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['peer'],
        properties: {
          peer: str,
          node: nodeName,
          established: { type: 'boolean' },
          flaps: { type: 'object', additionalProperties: false, required: ['count'], properties: { count: { type: 'integer', minimum: 0, maximum: 10000 }, hours: { type: 'number', exclusiveMinimum: 0 } } },
          lastReset: str,
          notification: str,
          connectionsDropped: { type: 'integer', minimum: 0 },
          uptime: { type: 'string', pattern: '^\\d+(\\.\\d+)?(s|m|h|d)$' },
        },
      },
    },
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['body'],
        properties: {
          pod: str,
          component,
          node: nodeName,
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          body: str,
          mode: { enum: ['append', 'replace'] },
        },
      },
    },
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(JSON.stringify(scenarioSchema, null, 2) + '\n');
}
