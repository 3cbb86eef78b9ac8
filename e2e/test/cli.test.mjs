// Bad command lines get a clear error and a non-zero exit, never a panic.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { freePort, runToExit } from './node.mjs';

function assertNoPanic({ stdout, stderr }) {
  const out = stdout + stderr;
  assert.doesNotMatch(out, /panicked at|Backtrace|This is a bug/i, `unexpected panic:\n${out}`);
}

describe('backstop-node command line', { timeout: 120_000 }, () => {
  it('prints its version', async () => {
    const res = await runToExit(['--version']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /backstop-node \d+\.\d+\.\d+/);
  });

  it('exports the development chain spec with the genesis preset', async () => {
    const res = await runToExit(['export-chain-spec', '--chain', 'dev']);
    assert.equal(res.code, 0, res.stderr);
    const spec = JSON.parse(res.stdout);
    assert.equal(spec.id, 'backstop_dev');
    assert.equal(spec.properties.tokenSymbol, 'BKS');
    assert.equal(spec.genesis.runtimeGenesis.patch.assets.metadata[0][3], 6);
  });

  it('rejects an unknown chain spec', async () => {
    const res = await runToExit(['--chain', 'no-such-chain', '--tmp']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /Unknown chain spec `no-such-chain`/);
    assertNoPanic(res);
  });

  it('refuses a busy RPC port', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      const res = await runToExit(['--dev', '--tmp', '--rpc-port', String(port), '--port', String(await freePort()),
        '--no-prometheus', '--no-telemetry', '--no-mdns']);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, new RegExp(`Error: .*Cannot serve JSON-RPC on 127\\.0\\.0\\.1:${port}: Address already in use`));
      assertNoPanic(res);
    } finally {
      blocker.close();
    }
  });

  it('refuses a base path that cannot be a directory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'backstop-'));
    const file = path.join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const res = await runToExit(['--dev', '--base-path', path.join(file, 'sub'), '--rpc-port', String(await freePort()),
      '--port', String(await freePort()), '--no-prometheus', '--no-telemetry', '--no-mdns']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /Error: .*Cannot use `.*not-a-dir\/sub` as the base path/);
    assertNoPanic(res);
  });
});
