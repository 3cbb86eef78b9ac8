// The validator price feeder against a local HTTP price source: a dev node
// started with `--price-source` feeds what the source serves, signed with
// the dev feeders' `feed` keys, as `oracleAggregator.submitFeed` general
// transactions, and follows the source when its price moves.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startSource } from './helpers.mjs';
import { DevNode, runToExit, withNode } from './node.mjs';

const WAD = 10n ** 18n; // FixedU128

/** Polls the oracle until BTC is live at exactly `price` (a decimal string). */
async function waitForBtc(api, node, price, what) {
  const [whole, fraction = ''] = price.split('.');
  const wanted = BigInt(whole) * WAD + BigInt(fraction.padEnd(18, '0'));
  let last = null;
  for (let i = 0; i < 60; i += 1) {
    const all = await withNode(node, api.call.oracleApi.allPrices(), 'the oracle API', 10_000);
    last = all.find((p) => p.asset.toNumber() === 0);
    if (last && last.status.isLive && last.info.unwrap().price.toBigInt() === wanted) return last;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  assert.fail(`${what}: BTC never live at ${price}; last ${JSON.stringify(last && last.toHuman())}`);
}

describe('validator price feeder', { timeout: 240_000 }, () => {
  let node;
  let api;
  let source;

  before(async () => {
    await cryptoWaitReady();
    source = await startSource({ 0: '61234.5', 1: '3100.25' });
    node = await DevNode.start(['--price-source', source.url]);
    api = await withNode(node, ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true }),
      'the API to connect', 60_000);
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
    if (source) await source.close();
  });

  it('feeds the prices the source serves', async () => {
    const btc = await waitForBtc(api, node, '61234.5', 'the first feeds');
    assert.ok(btc.freshFeeds.toNumber() >= 3, `only ${btc.freshFeeds.toNumber()} fresh feeds`);
    const eth = (await api.call.oracleApi.allPrices()).find((p) => p.asset.toNumber() === 1);
    assert.equal(eth.info.unwrap().price.toBigInt(), 3100n * WAD + 25n * 10n ** 16n);
    assert.ok(source.state.requests > 0);
    assert.match(node.log(), /feeding prices from http:\/\/127\.0\.0\.1:\d+\/prices/);
  });

  it('submits signed feeds as general transactions, not from an account', async () => {
    const hash = await api.rpc.chain.getBlockHash();
    let found = null;
    for (let n = (await api.rpc.chain.getHeader(hash)).number.toNumber(); n > 0 && !found; n -= 1) {
      const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(n));
      found = block.block.extrinsics.find((xt) => xt.method.section === 'oracleAggregator'
        && xt.method.method === 'submitFeed');
      if (found) assert.equal(found.isSigned, false, 'a feed must not be signed by an account');
    }
    assert.ok(found, 'no submitFeed in any block');
  });

  it('follows the source when its price moves', async () => {
    source.state.prices = { 0: '59800', 1: '3050' };
    await waitForBtc(api, node, '59800', 'after the move');
  });
});

describe('price feeder options', { timeout: 60_000 }, () => {
  it('rejects a price source that is not a URL', async () => {
    const res = await runToExit(['--dev', '--tmp', '--price-source', 'http://exa mple/']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /--price-source/);
  });

  it('rejects a symbol mapping that is not ASSET=SYMBOL', async () => {
    const res = await runToExit(['--dev', '--tmp', '--price-symbol', 'BTCUSDT']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /ASSET=SYMBOL/);
  });
});
