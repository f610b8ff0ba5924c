// Test harness for the sandbox API server: a store, the garbage collector and the HTTPS server
// on a free loopback port, a kubeconfig exactly as `aws eks update-kubeconfig` writes it (exec
// plugin `aws eks get-token`), and helpers to run the machine's kubectl against it.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'node:https'
import { Store } from '../../../sandbox/kube/store.ts'
import { karpenterV1beta1Crds } from '../../../sandbox/karpenter/crds/v1beta1.ts'
import type { CrdSpec } from '../../../sandbox/kube/crds/definitions.ts'
import { PodLogs } from '../../../sandbox/kube/pod-logs.ts'
import { startApiServer, type ApiServer, type RequestLogEntry } from '../../../sandbox/kube/server.ts'
import { GarbageCollector } from '../../../sandbox/cluster/garbage-collector.ts'

export const CLUSTER = 'spot-and-karpenter'
export const ACCESS_KEY = 'AKIASANDBOXTESTKEY01'
export const SECRET_KEY = 'sandbox/secret/key/for/tests/only/00000000'
export const REGION = 'eu-west-2'
export const AWS_ENDPOINT_HOST = '127.0.0.1:4566'

export interface Harness {
  store: Store
  podLogs: PodLogs
  server: ApiServer
  gc: GarbageCollector
  dir: string
  kubeconfig: string
  requests: RequestLogEntry[]
  /** Runs kubectl (the machine's dispatcher) with this cluster's kubeconfig. */
  kubectl(args: string[], options?: { stdin?: string; env?: Record<string, string> }): Promise<Result>
  /** Runs a bash script with KUBECONFIG set (for the tutorial's verbatim commands). */
  bash(script: string, env?: Record<string, string>): Promise<Result>
  /** Starts kubectl and leaves it running (watch, logs -f). */
  spawnKubectl(args: string[]): Running
  /** Raw HTTPS request to the server. */
  http(
    method: string,
    path: string,
    options?: { body?: string; headers?: Record<string, string>; token?: string | null },
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>
  token(env?: Record<string, string>, cluster?: string): Promise<string>
  close(): Promise<void>
}

export interface Result {
  code: number
  stdout: string
  stderr: string
}

export interface Running {
  child: ChildProcess
  output(): string
  /** Resolves when the output matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>
  stop(): Promise<Result>
  /** Resolves with the exit when kubectl ends by itself (rejects after timeoutMs). */
  exit(timeoutMs?: number): Promise<Result>
}

export function kubeconfigYaml(server: string, caPem: string, extraEnv: Record<string, string> = {}): string {
  const arn = `arn:aws:eks:${REGION}:000000000000:cluster/${CLUSTER}`
  const env = { AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET_KEY, ...extraEnv }
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}
    server: ${server}
  name: ${arn}
contexts:
- context:
    cluster: ${arn}
    user: ${arn}
  name: ${arn}
current-context: ${arn}
kind: Config
preferences: {}
users:
- name: ${arn}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - ${REGION}
      - eks
      - get-token
      - --cluster-name
      - ${CLUSTER}
      - --output
      - json
      command: aws
      env:
${Object.entries(env)
  .map(([k, v]) => `      - name: ${k}\n        value: ${v}`)
  .join('\n')}
`
}

function run(cmd: string, args: string[], env: Record<string, string>, stdin?: string, cwd?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(stdin ?? '')
  })
}

/**
 * An API server as the cluster has it after Step 2: by default with the Karpenter CRDs the v0.32.1
 * chart installs (`crds` chooses others, e.g. the 1.9.2 chart's, or none).
 */
export async function startHarness(
  options: { kubernetesVersion?: string; kubeconfigEnv?: Record<string, string>; historySize?: number; crds?: CrdSpec[] } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'spotcheck-kube-'))
  const store = new Store({ historySize: options.historySize, crds: options.crds ?? karpenterV1beta1Crds })
  const podLogs = new PodLogs()
  const gc = new GarbageCollector(store, { resyncMs: 1000 })
  gc.start()
  const requests: RequestLogEntry[] = []
  const server = await startApiServer({
    store,
    podLogs,
    clusterName: CLUSTER,
    kubernetesVersion: options.kubernetesVersion,
    credentials: new Map([[ACCESS_KEY, SECRET_KEY]]),
    awsEndpointHost: AWS_ENDPOINT_HOST,
    onRequest: (e) => requests.push(e),
  })
  const kubeconfig = join(dir, 'kubeconfig')
  await writeFile(kubeconfig, kubeconfigYaml(server.url, server.caPem, options.kubeconfigEnv))
  // A fresh discovery cache per run, and no host AWS settings leaking in.
  const env = {
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: join(dir, 'cache'),
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
  }
  const children = new Set<ChildProcess>()
  const h: Harness = {
    store,
    podLogs,
    server,
    gc,
    dir,
    kubeconfig,
    requests,
    kubectl: (args, o = {}) => run('kubectl', args, { ...env, ...(o.env ?? {}) }, o.stdin, dir),
    bash: (script, extra = {}) => run('bash', ['-c', script], { ...env, ...extra }, undefined, dir),
    spawnKubectl(args) {
      const child = spawn('kubectl', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: dir })
      children.add(child)
      let out = ''
      let err = ''
      let exit: Promise<Result> | undefined
      const exited = new Promise<Result>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout: out, stderr: err })))
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      child.stderr.on('data', (d: Buffer) => (err += d.toString()))
      return {
        child,
        output: () => out,
        async waitFor(re, timeoutMs = 15_000) {
          const start = Date.now()
          while (!re.test(out)) {
            if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${re} in:\n${out}\nstderr:\n${err}`)
            if (child.exitCode !== null) throw new Error(`kubectl exited (${child.exitCode}) before ${re}:\n${out}\nstderr:\n${err}`)
            await new Promise((r) => setTimeout(r, 50))
          }
          return out
        },
        exit(timeoutMs = 15_000) {
          return Promise.race([exited, sleep(timeoutMs).then(() => Promise.reject(new Error(`kubectl did not exit within ${timeoutMs} ms:\n${out}\n${err}`)))])
        },
        stop() {
          exit ??= (async () => {
            if (child.exitCode === null) child.kill('SIGTERM')
            const r = await exited
            children.delete(child)
            return r
          })()
          return exit
        },
      }
    },
    http(method, path, o = {}) {
      return new Promise((resolve, reject) => {
        const headers: Record<string, string> = { ...(o.headers ?? {}) }
        if (o.token) headers.Authorization = `Bearer ${o.token}`
        if (o.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(o.body))
        const req = request({ host: '127.0.0.1', port: server.port, method, path, ca: server.caPem, headers, agent: false }, (res) => {
          let body = ''
          res.on('data', (d: Buffer) => (body += d.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        })
        req.on('error', reject)
        req.end(o.body)
      })
    },
    async token(extraEnv = {}, cluster = CLUSTER) {
      const r = await run('aws', ['--region', REGION, 'eks', 'get-token', '--cluster-name', cluster, '--output', 'json'], {
        AWS_ACCESS_KEY_ID: ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: SECRET_KEY,
        AWS_CONFIG_FILE: join(dir, 'aws-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
        ...extraEnv,
      })
      if (r.code !== 0) throw new Error(`aws eks get-token failed: ${r.stderr}`)
      return (JSON.parse(r.stdout) as { status: { token: string } }).status.token
    },
    async close() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
      gc.stop()
      await server.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
  return h
}

/** A Ready node as the sandbox's kubelet twin would register it (for describe/drain/-L tests). */
export function readyNode(name: string, labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
    spec: { providerID: `aws:///eu-west-2a/i-${Buffer.from(name).toString('hex').slice(0, 17)}` },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: new Date().toISOString(),
          lastTransitionTime: new Date().toISOString(),
        },
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.36.60' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.29.0-eks-5e0fdde',
        osImage: 'Amazon Linux 2',
        kernelVersion: '5.10.205-195.807.amzn2.aarch64',
        containerRuntimeVersion: 'containerd://1.7.11',
        architecture: 'arm64',
        operatingSystem: 'linux',
        kubeProxyVersion: 'v1.29.0',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
      capacity: { cpu: '8', memory: '16Gi', pods: '58' },
      allocatable: { cpu: '7810m', memory: '14003Mi', pods: '58' },
    },
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
