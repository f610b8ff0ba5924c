// `spotcheck sandbox up | down | status | env` as a user runs them.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { bash, isolatedHome, parseExports, spotcheck } from './helpers.ts'
import { isAlive } from '../../../sandbox/state.ts'

const home = isolatedHome()
const env = { SPOTCHECK_HOME: home, SPOTCHECK_SANDBOX: undefined }

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

// A stopped daemon is reparented to PID 1 and may linger unreaped: isAlive counts a zombie as gone.
const alive = isAlive

describe('spotcheck sandbox', () => {
  let exportsA = ''
  after(async () => {
    await spotcheck(['sandbox', 'down', '--all'], env)
  })

  it('up prints only export lines on stdout, and the tutorial aws commands work with them', async () => {
    const up = await spotcheck(['sandbox', 'up', '--name', 'a', '--region', 'eu-west-1'], env)
    assert.equal(up.exitCode, 0, up.stderr)
    exportsA = up.stdout
    for (const line of up.stdout.trim().split('\n')) assert.match(line, /^(export \w+=|unset \w+$)/, line)
    assert.match(up.stderr, /sandbox "a" is up/)
    const sandboxEnv = parseExports(up.stdout)
    assert.equal(sandboxEnv.AWS_REGION, 'eu-west-1')
    assert.equal(sandboxEnv.AWS_DEFAULT_REGION, 'eu-west-1')
    assert.match(sandboxEnv.KUBECONFIG, new RegExp(`^${home}/sandboxes/a/kubeconfig$`))
    const r = await bash(
      'aws sts get-caller-identity --query Account --output text && aws ec2 describe-availability-zones --query "AvailabilityZones[].ZoneName" --output text',
      sandboxEnv,
      home,
    )
    assert.equal(r.exitCode, 0, r.all)
    assert.match(r.stdout, /^\d{12}\neu-west-1a\teu-west-1b\teu-west-1c/)
  })

  it('up again reuses the running sandbox and prints the same exports', async () => {
    const again = await spotcheck(['sandbox', 'up', '--name', 'a'], env)
    assert.equal(again.exitCode, 0)
    assert.match(again.stderr, /already running/)
    assert.equal(again.stdout, exportsA)
  })

  it('env prints the exports of a running sandbox; status says what runs where', async () => {
    const e = await spotcheck(['sandbox', 'env', '--name', 'a'], env)
    assert.equal(e.stdout, exportsA)
    const s = await spotcheck(['sandbox', 'status', '--name', 'a'], env)
    assert.equal(s.exitCode, 0)
    const endpoint = parseExports(exportsA).AWS_ENDPOINT_URL
    assert.match(s.stderr, new RegExp(`running .*region eu-west-1`))
    assert.match(s.stderr, new RegExp(`AWS APIs \\(moto\\)\\s+${endpoint.replace(/[.]/g, '\\.')}`))
    assert.match(s.stderr, /no EKS cluster yet/)
    assert.match(s.stderr, /edition\s+not set: this sandbox is the platform of its day; each run picks the edition/)
  })

  it('runs several sandboxes side by side, on different ports', async () => {
    const b = await spotcheck(['sandbox', 'up', '--name', 'b', '--as-of', 'today', '--edition', 'current'], env)
    assert.equal(b.exitCode, 0, b.stderr)
    assert.notEqual(parseExports(b.stdout).AWS_ENDPOINT_URL, parseExports(exportsA).AWS_ENDPOINT_URL)
    const all = await spotcheck(['sandbox', 'status', '--all'], env)
    assert.match(all.stderr, /sandbox "a": running/)
    assert.match(all.stderr, /sandbox "b": running/)
    assert.match(all.stderr, /sandbox "b": running[^\n]*\n\s+edition\s+current\n/)
  })

  it('down stops every process up started, frees the ports and removes the state', async () => {
    const statePath = join(home, 'sandboxes', 'a', 'state.json')
    const state = JSON.parse((await import('node:fs')).readFileSync(statePath, 'utf8')) as {
      pid: number
      awsPid: number
      awsEndpoint: string
      controlUrl: string
    }
    const down = await spotcheck(['sandbox', 'down', '--name', 'a'], env)
    assert.equal(down.exitCode, 0)
    assert.equal(alive(state.pid), false, 'daemon still running')
    assert.equal(alive(state.awsPid), false, 'moto still running')
    assert.equal(await portOpen(state.awsEndpoint), false, 'AWS port still open')
    assert.equal(await portOpen(state.controlUrl), false, 'control port still open')
    assert.equal(existsSync(join(home, 'sandboxes', 'a')), false)
    const env2 = await spotcheck(['sandbox', 'env', '--name', 'a'], env)
    assert.equal(env2.exitCode, 3)
    assert.match(env2.stderr, /not running; start it with: eval "\$\(npx spotcheck sandbox up --name a\)"/)
  })

  it('a sandbox whose owner has exited stops by itself (SPOTCHECK_SANDBOX_OWNER, as npm test sets it)', async () => {
    const owner = spawn('sleep', ['600'], { stdio: 'ignore' })
    const up = await spotcheck(['sandbox', 'up', '--name', 'owned'], { ...env, SPOTCHECK_SANDBOX_OWNER: String(owner.pid) })
    assert.equal(up.exitCode, 0, up.stderr)
    const state = JSON.parse(readFileSync(join(home, 'sandboxes', 'owned', 'state.json'), 'utf8')) as { pid: number; awsPid: number }
    // The daemon checks its owner every 2 s: past two checks, with the owner alive, it still runs.
    await new Promise((r) => setTimeout(r, 4_500))
    assert.equal(alive(state.pid), true, 'stopped while its owner ran')
    owner.kill()
    const deadline = Date.now() + 60_000
    while ((alive(state.pid) || alive(state.awsPid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250))
    assert.equal(alive(state.pid), false, 'the daemon outlived its owner')
    assert.equal(alive(state.awsPid), false, 'moto outlived the daemon')
    assert.match(readFileSync(join(home, 'sandboxes', 'owned', 'daemon.log'), 'utf8'), /owner pid \d+ has exited: stopping/)
  })

  it('refuses bad input with a clear message', async () => {
    const badName = await spotcheck(['sandbox', 'up', '--name', 'Bad_Name'], env)
    assert.equal(badName.exitCode, 1)
    assert.match(badName.stderr, /invalid sandbox name "Bad_Name"/)
    const badScale = await spotcheck(['sandbox', 'up', '--name', 'c', '--time-scale', 'fast'], env)
    assert.equal(badScale.exitCode, 2)
    assert.match(badScale.stderr, /--time-scale must be a non-negative number, got "fast"/)
    const badEdition = await spotcheck(['sandbox', 'up', '--name', 'c', '--edition', 'latest'], env)
    assert.equal(badEdition.exitCode, 2)
    assert.match(badEdition.stderr, /--edition "latest" is not an edition of the tutorial: give as-written or current/)
    const unknown = await spotcheck(['sandbox', 'sideways'], env)
    assert.equal(unknown.exitCode, 2)
    assert.match(unknown.stderr, /unknown command "sandbox sideways"/)
  })
})

describe('spotcheck sandbox up without its prerequisites', () => {
  let path = ''
  before(() => {
    // A PATH with python3 and bash but without terraform and the aws CLI.
    path = ['/usr/bin', '/bin'].join(':')
  })

  it('names each missing program with the command that installs it, and starts nothing', async () => {
    const r = await spotcheck(['sandbox', 'up', '--name', 'missing'], { ...env, PATH: path })
    assert.equal(r.exitCode, 1)
    assert.match(r.stderr, /missing: terraform \(.*\): not found on PATH\. Install: .*developer\.hashicorp\.com\/terraform\/install/)
    assert.match(r.stderr, /missing: aws \(.*\): .*Install: python3 -m pip install awscli/)
    assert.equal(r.stdout, '')
    assert.equal(existsSync(join(home, 'sandboxes', 'missing')), false)
  })
})
