// Starts and stops a real backstop-node for the end-to-end tests.
//
// The binary is taken from $BACKSTOP_NODE, else from
// $CARGO_TARGET_DIR/release/backstop-node, else ../target/release/backstop-node.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

/** Path of the node binary under test. */
export function nodeBinary() {
  const candidates = [
    process.env.BACKSTOP_NODE,
    process.env.CARGO_TARGET_DIR && path.join(process.env.CARGO_TARGET_DIR, 'release', 'backstop-node'),
    path.join(homedir(), '.cache', 'backstop', 'target', 'release', 'backstop-node'),
    path.join(repo, 'target', 'release', 'backstop-node'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`backstop-node not found; looked in:\n  ${candidates.join('\n  ')}\n` +
      'Build it with `cargo build --release -p backstop-node` or set BACKSTOP_NODE.');
  }
  return found;
}

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs the node binary to completion with `args` (for subcommands and
 * failure cases). Resolves with { code, signal, stdout, stderr }.
 */
export function runToExit(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`backstop-node ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * A dev node (`--dev --tmp`) on free ports. `log()` returns everything it
 * printed; `exited` rejects if it dies before `stop()`.
 */
export class DevNode {
  static async start(extraArgs = []) {
    const rpcPort = await freePort();
    const p2pPort = await freePort();
    const node = new DevNode(rpcPort, p2pPort, extraArgs);
    await node.waitForRpc();
    return node;
  }

  constructor(rpcPort, p2pPort, extraArgs) {
    this.rpcPort = rpcPort;
    this.url = `ws://127.0.0.1:${rpcPort}`;
    this.output = [];
    this.stopping = false;
    const args = [
      '--dev', '--tmp',
      '--rpc-port', String(rpcPort),
      '--port', String(p2pPort),
      '--no-prometheus', '--no-telemetry', '--no-mdns',
      ...extraArgs,
    ];
    this.child = spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (d) => this.output.push(d.toString()));
    this.child.stderr.on('data', (d) => this.output.push(d.toString()));
    this.exited = new Promise((resolve, reject) => {
      this.child.on('exit', (code, signal) => {
        if (this.stopping) resolve({ code, signal });
        else reject(new Error(`backstop-node exited unexpectedly (code ${code}, signal ${signal})\n${this.log()}`));
      });
    });
    // Avoid unhandled rejections when nobody is awaiting `exited`.
    this.exited.catch(() => {});
  }

  log() {
    return this.output.join('');
  }

  /** Waits until the RPC server has announced itself in the log. */
  async waitForRpc(timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (/Running JSON-RPC server/.test(this.log())) return;
      if (this.child.exitCode !== null) {
        throw new Error(`backstop-node exited during start-up (code ${this.child.exitCode})\n${this.log()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`backstop-node did not open its RPC port within ${timeoutMs} ms\n${this.log()}`);
  }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stopping = true;
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    await this.exited.catch(() => {});
    clearTimeout(timer);
  }
}

/**
 * Races `promise` against a timeout and against the node dying; either of
 * those fails with the node's log.
 */
export function withNode(node, promise, what, timeoutMs) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- node log ---\n${node.log()}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout, node.exited.then(() => { throw new Error(`node stopped while waiting for ${what}`); })])
    .finally(() => clearTimeout(timer));
}
