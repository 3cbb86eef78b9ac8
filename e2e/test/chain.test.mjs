// A dev chain through @polkadot/api: blocks, finality, metadata, a native
// transfer and a stablecoin transfer.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';

import { findEvent, submit } from './helpers.mjs';
import { DevNode, withNode } from './node.mjs';

const UNITS = 10n ** 12n; // native token, 12 decimals
const DOLLARS = 10n ** 6n; // settlement stablecoin, 6 decimals
const USD = 1; // settlement asset id

/** Resolves once `predicate(header)` holds for a header from `subscribe`. */
function waitForHeader(subscribe, predicate) {
  return new Promise((resolve, reject) => {
    let unsub;
    subscribe((header) => {
      if (predicate(header)) {
        if (unsub) unsub();
        resolve(header);
      }
    }).then((u) => { unsub = u; }, reject);
  });
}


describe('backstop dev chain', { timeout: 240_000 }, () => {
  let node;
  let api;
  let alice;
  let keyring;

  before(async () => {
    await cryptoWaitReady();
    node = await DevNode.start();
    api = await withNode(node, ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true }),
      'the API to connect', 60_000);
    keyring = new Keyring({ type: 'sr25519' });
    alice = keyring.addFromUri('//Alice');
  });

  after(async () => {
    if (api) await api.disconnect();
    if (node) await node.stop();
  });

  it('authors blocks', async () => {
    const header = await withNode(node,
      waitForHeader((cb) => api.rpc.chain.subscribeNewHeads(cb), (h) => h.number.toNumber() >= 2),
      'block #2', 60_000);
    assert.ok(header.number.toNumber() >= 2);
  });

  it('finalizes blocks with GRANDPA', async () => {
    const header = await withNode(node,
      waitForHeader((cb) => api.rpc.chain.subscribeFinalizedHeads(cb), (h) => h.number.toNumber() >= 1),
      'a finalized block', 90_000);
    assert.ok(header.number.toNumber() >= 1);
  });

  it('exposes the Backstop runtime metadata', async () => {
    assert.equal(api.runtimeVersion.specName.toString(), 'backstop');
    const pallets = api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString());
    for (const name of ['System', 'Timestamp', 'Aura', 'Grandpa', 'Balances', 'TransactionPayment', 'Sudo', 'Assets']) {
      assert.ok(pallets.includes(name), `pallet ${name} missing from metadata: ${pallets.join(', ')}`);
    }
    assert.equal(api.registry.chainDecimals[0], 12);
    // The settlement stablecoin exists with 6 decimals.
    const meta = await api.query.assets.metadata(USD);
    assert.equal(meta.decimals.toNumber(), 6);
    assert.equal(meta.symbol.toUtf8(), 'bUSD');
    const details = await api.query.assets.asset(USD);
    assert.ok(details.isSome, 'settlement asset is not created');
    assert.equal(details.unwrap().isSufficient.isTrue, true);
    // Alice is the sudo key in the development preset.
    const key = await api.query.sudo.key();
    assert.equal(key.unwrap().toString(), alice.address);
  });

  it('transfers the native token', async () => {
    const dest = keyring.addFromUri(mnemonicGenerate());
    const amount = 5n * UNITS;
    const before = (await api.query.system.account(alice.address)).data.free.toBigInt();
    const { events } = await withNode(node,
      submit(api, api.tx.balances.transferKeepAlive(dest.address, amount), alice),
      'the native transfer', 60_000);
    const transfer = findEvent(events, 'balances', 'Transfer');
    assert.ok(transfer, 'no balances.Transfer event');
    assert.equal(transfer.data.from.toString(), alice.address);
    assert.equal(transfer.data.to.toString(), dest.address);
    assert.equal(transfer.data.amount.toBigInt(), amount);
    assert.ok(findEvent(events, 'system', 'ExtrinsicSuccess'), 'no ExtrinsicSuccess');
    const feePaid = findEvent(events, 'transactionPayment', 'TransactionFeePaid');
    assert.ok(feePaid, 'no TransactionFeePaid event');
    const fee = feePaid.data.actualFee.toBigInt();
    assert.ok(fee > 0n, 'a transfer must pay a fee');

    const destAccount = await api.query.system.account(dest.address);
    assert.equal(destAccount.data.free.toBigInt(), amount);
    const after = (await api.query.system.account(alice.address)).data.free.toBigInt();
    assert.equal(before - after, amount + fee);
  });

  it('transfers the settlement stablecoin', async () => {
    const dest = keyring.addFromUri(mnemonicGenerate());
    const amount = 250n * DOLLARS;
    const aliceBefore = (await api.query.assets.account(USD, alice.address)).unwrap().balance.toBigInt();
    const { events } = await withNode(node,
      submit(api, api.tx.assets.transferKeepAlive(USD, dest.address, amount), alice),
      'the stablecoin transfer', 60_000);
    const transferred = findEvent(events, 'assets', 'Transferred');
    assert.ok(transferred, 'no assets.Transferred event');
    assert.equal(transferred.data.assetId.toNumber(), USD);
    assert.equal(transferred.data.from.toString(), alice.address);
    assert.equal(transferred.data.to.toString(), dest.address);
    assert.equal(transferred.data.amount.toBigInt(), amount);

    const destBalance = (await api.query.assets.account(USD, dest.address)).unwrap().balance.toBigInt();
    assert.equal(destBalance, amount);
    const aliceAfter = (await api.query.assets.account(USD, alice.address)).unwrap().balance.toBigInt();
    assert.equal(aliceBefore - aliceAfter, amount);
  });

  it('serves live demo prices through the oracle runtime API', async () => {
    // The dev feeders (Alice, Bob, Charlie) feed BTC and ETH every block.
    const live = async () => {
      const all = await api.call.oracleApi.allPrices();
      return all.length === 2 && all.every((p) => p.status.isLive) ? all : null;
    };
    let prices = null;
    for (let i = 0; i < 40 && !prices; i += 1) {
      prices = await withNode(node, live(), 'the oracle API', 10_000);
      if (!prices) await new Promise((r) => setTimeout(r, 1_000));
    }
    assert.ok(prices, `prices never became live: ${JSON.stringify((await api.call.oracleApi.allPrices()).toHuman())}`);
    const [btc, eth] = prices;
    assert.equal(btc.asset.toNumber(), 0);
    assert.equal(eth.asset.toNumber(), 1);
    // FixedU128 with 18 decimals: BTC starts near 65,000 and ETH near 3,200.
    const dollars = (p) => Number(p.info.unwrap().price.toBigInt() / 10n ** 18n);
    assert.ok(dollars(btc) > 30_000 && dollars(btc) < 130_000, `BTC at ${dollars(btc)}`);
    assert.ok(dollars(eth) > 1_500 && dollars(eth) < 6_500, `ETH at ${dollars(eth)}`);
    assert.ok(btc.freshFeeds.toNumber() >= 2);
  });

  it('exposes the backstop tiers through their runtime APIs', async () => {
    const funds = await api.call.insuranceFundApi.funds();
    assert.equal(funds.length, 3, 'global fund plus two market sub-funds');
    assert.equal(funds[0].balance.toBigInt(), 250_000n * DOLLARS);
    const junior = await api.call.stakingBackstopApi.trancheInfo('Junior');
    assert.equal(junior.assets.toBigInt(), 20_000n * DOLLARS);
    const poolCash = await api.call.sharedLiquidityApi.poolCash();
    assert.ok(poolCash.toBigInt() >= 1_250_000n * DOLLARS, `pool cash ${poolCash.toString()}`);
    const nav = await api.call.sharedLiquidityApi.poolNav();
    assert.ok(nav.isSome, 'the pool can be valued while prices are live');
    const protocols = await api.call.sharedLiquidityApi.protocols();
    assert.equal(protocols.length, 2);
  });

  it('trades a BTC perpetual against the shared pool', async () => {
    const eve = keyring.addFromUri('//Eve');
    const deposit = 10_000n * DOLLARS;
    await withNode(node, submit(api, api.tx.margin.deposit(deposit), eve), 'the margin deposit', 60_000);
    // Long 0.01 BTC (sizes are in millionths of the base asset), accepting
    // any fill below 200,000 dollars.
    const size = 10_000n;
    const limit = 200_000n * 10n ** 18n;
    const { events } = await withNode(node, submit(api, api.tx.margin.trade(0, size, limit), eve),
      'the trade', 60_000);
    const traded = findEvent(events, 'margin', 'Traded');
    assert.ok(traded, `no margin.Traded event: ${events.map(({ event }) => `${event.section}.${event.method}`).join(', ')}`);
    const health = await api.call.marginApi.accountHealth(eve.address);
    assert.ok(health.isOk, `no health: ${health.toString()}`);
    const h = health.asOk;
    assert.equal(h.positions.length, 1);
    assert.equal(h.liquidatable.isTrue, false);
    // Fees were paid: equity is a little below the deposit.
    assert.ok(h.equity.toBigInt() < deposit && h.equity.toBigInt() > deposit - 100n * DOLLARS,
      `equity ${h.equity.toString()}`);
    // The pool keeps cash reserved against the new open interest.
    const info = await api.call.sharedLiquidityApi.protocolInfo({ Market: 0 });
    assert.ok(info.isSome && info.unwrap().reserved.toBigInt() > 0n, `BTC line ${info.toString()}`);
    // The open interest now requires backstop capital and pays a premium on
    // it: the stakers price it from their coverage, the junior tranche at
    // three times the senior rate per dollar.
    const pricing = await api.call.stakingBackstopApi.pricing();
    assert.ok(pricing.requiredCapital.toBigInt() > 0n, `pricing ${pricing.toString()}`);
    assert.ok(pricing.coverage.isSome);
    const premium = await api.call.marginApi.marketPremium(0);
    assert.ok(premium.isSome, 'BTC-PERP has a premium');
    assert.equal(premium.unwrap().requiredCapital.toBigInt(), pricing.requiredCapital.toBigInt());
    // 2% to 25% a year, as the dev chain's parameters allow.
    const annual = Number(premium.unwrap().annualRate.toBigInt() / 10n ** 12n) / 1e6;
    assert.ok(annual >= 0.0199 && annual <= 0.25, `annual premium rate ${annual}`);
  });

  it('rejects a transfer beyond the balance with a named error', async () => {
    const dest = keyring.addFromUri(mnemonicGenerate());
    const bob = keyring.addFromUri('//Bob');
    const bobBefore = (await api.query.assets.account(USD, bob.address)).unwrap().balance.toBigInt();
    await assert.rejects(
      withNode(node, submit(api, api.tx.assets.transfer(USD, dest.address, bobBefore + 1n), bob),
        'the failing transfer', 60_000),
      /assets\.BalanceLow/,
    );
    const bobAfter = (await api.query.assets.account(USD, bob.address)).unwrap().balance.toBigInt();
    assert.equal(bobAfter, bobBefore);
    assert.ok((await api.query.assets.account(USD, dest.address)).isNone);
  });
});
