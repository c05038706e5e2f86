import { expect } from "chai";

import { Chain } from "../../../../rollup-node/chain/chain";
import { Mempool } from "../../../../rollup-node/l2/mempool";
import type { RpcBackend } from "../../../../rollup-node/rpc/backend";
import { txpoolMethods } from "../../../../rollup-node/rpc/methods";
import type { TestSigner } from "../../../../tools/l2Fixtures";
import { signers, testGenesis } from "../../l2/l2Support";

const TO = "0x00000000000000000000000000000000000000aa";

/** The backend's pool views over a real chain and mempool; nothing else of the backend is read. */
function poolBackend(chain: Chain, pool: Mempool): RpcBackend {
  return { chain, pooledTransactions: () => pool.all() } as unknown as RpcBackend;
}

function call(method: string, params: readonly unknown[], backend: RpcBackend): Promise<unknown> {
  const handler = txpoolMethods[method];
  if (handler === undefined) throw new Error(`${method} is not served`);
  return Promise.resolve(handler(params, backend));
}

function oneSigner(): TestSigner {
  const [signer] = signers(1);
  if (signer === undefined) throw new Error("no dev signer");
  return signer;
}

describe("txpool_* (geth's pool views)", () => {
  it("counts a sender's next nonce as pending and a transaction behind a nonce gap as queued", async () => {
    const chain = await Chain.create({ genesis: testGenesis() });
    const pool = new Mempool({ chain });
    const alice = oneSigner();
    const a0 = alice.tx({ to: TO, gasLimit: 21_000n });
    alice.tx({ to: TO, gasLimit: 21_000n }); // nonce 1 is never sent: a gap
    const a2 = alice.tx({ to: TO, gasLimit: 21_000n });
    await pool.add(a0);
    await pool.add(a2);
    const backend = poolBackend(chain, pool);
    expect(await call("txpool_status", [], backend)).to.deep.equal({ pending: "0x1", queued: "0x1" });
    const from = (await call("txpool_contentFrom", [alice.address.toString()], backend)) as {
      pending: Record<string, unknown>;
      queued: Record<string, unknown>;
    };
    expect(Object.keys(from.pending)).to.deep.equal(["0"]);
    expect(Object.keys(from.queued)).to.deep.equal(["2"]);
  });

  it("leaves out a transaction the chain has already mined while the pool has not yet settled its block (it is neither pending nor queued)", async () => {
    // The sequencer commits a block to the chain, then settles the pool: a txpool_* call between
    // the two saw the included transaction still pooled, with a nonce below the sender's, and
    // reported it queued (a transfer sent to the devnet showed {pending: 0x0, queued: 0x1}).
    const chain = await Chain.create({ genesis: testGenesis() });
    const pool = new Mempool({ chain });
    const alice = oneSigner();
    const a0 = alice.tx({ to: TO, gasLimit: 21_000n });
    await pool.add(a0);
    const mined = await chain.mineBlock(pool.ordered());
    expect(mined.record.block.transactions).to.have.length(1);
    expect(pool.all()).to.have.length(1); // not settled yet
    const backend = poolBackend(chain, pool);
    expect(await call("txpool_status", [], backend)).to.deep.equal({ pending: "0x0", queued: "0x0" });
    expect(await call("txpool_content", [], backend)).to.deep.equal({ pending: {}, queued: {} });
    await pool.settle(mined);
    expect(await call("txpool_status", [], backend)).to.deep.equal({ pending: "0x0", queued: "0x0" });
  });
});
