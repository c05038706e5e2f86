import type { Common } from "@ethereumjs/common";
import { Blob4844Tx, createBlob4844Tx } from "@ethereumjs/tx";
import { type PrefixedHexString, bytesToHex, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";

import { Chain } from "../../../rollup-node/chain/chain";
import { DevNode } from "../../../rollup-node/rpc/devNode";
import { RpcDispatcher } from "../../../rollup-node/rpc/dispatcher";
import type { RpcResponse } from "../../../rollup-node/rpc/dispatcher";

const KEY = hexToBytes("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const SENDER = createAddressFromPrivateKey(KEY);
const RECIPIENT: PrefixedHexString = "0x00000000000000000000000000000000000000bb";
const GENESIS_TIME = 1_700_000_000n;
/** A valid compressed G1 point (the generator) that is no proof for any blob used here. */
const WRONG_PROOF: PrefixedHexString =
  "0x97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
/** An all-zero blob: its Osaka cell proofs take ~0.2 s to compute instead of ~7 s for a non-zero blob. */
const ZERO_BLOB: PrefixedHexString = `0x${"00".repeat(131_072)}`;

interface Node {
  readonly chain: Chain;
  readonly node: DevNode;
  readonly rpc: RpcDispatcher;
}

/** A node that pools submissions (no automine), like a node behind a consensus client. */
async function startNode(hardfork: string): Promise<Node> {
  const chain = await Chain.create({
    genesis: {
      chainId: 1337n,
      hardfork,
      timestamp: GENESIS_TIME,
      alloc: { [SENDER.toString()]: { balance: 10n ** 21n } },
    },
    now: () => GENESIS_TIME,
  });
  const node = new DevNode({ chain, accounts: [], clientVersion: "test", automine: false });
  return { chain, node, rpc: new RpcDispatcher(node) };
}

type BlobSource = { readonly blobsData: string[] } | { readonly blobs: PrefixedHexString[] };

/** A signed blob transaction carrying its sidecar; `proofs` replaces the computed proofs. */
function blobTx(
  common: Common,
  source: BlobSource,
  proofs?: (computed: PrefixedHexString[]) => PrefixedHexString[],
): Blob4844Tx {
  const fields = {
    nonce: 0n,
    to: RECIPIENT,
    gasLimit: 21_000n,
    maxFeePerGas: 10n ** 10n,
    maxPriorityFeePerGas: 1n,
    maxFeePerBlobGas: 10n ** 10n,
    chainId: 1337n,
  };
  const honest = createBlob4844Tx({ ...fields, ...source }, { common });
  if (proofs === undefined) return honest.sign(KEY);
  return createBlob4844Tx(
    {
      ...fields,
      blobs: honest.blobs,
      kzgCommitments: honest.kzgCommitments,
      kzgProofs: proofs(honest.kzgProofs ?? []),
    },
    { common },
  ).sign(KEY);
}

async function send(rpc: RpcDispatcher, tx: Blob4844Tx): Promise<RpcResponse> {
  const response = await rpc.handle({
    jsonrpc: "2.0",
    id: 1,
    method: "eth_sendRawTransaction",
    params: [bytesToHex(tx.serializeNetworkWrapper())],
  });
  return response as RpcResponse;
}

describe("eth_sendRawTransaction with a blob sidecar", function () {
  this.timeout(60_000);

  describe("before Osaka (one EIP-4844 proof per blob)", () => {
    it("accepts a blob transaction whose sidecar verifies into the pool, and mines it with its blob gas", async () => {
      const { chain, node, rpc } = await startNode("prague");
      const tx = blobTx(chain.common, { blobsData: ["native rollup batch"] });
      const response = await send(rpc, tx);
      expect(response.error).to.equal(undefined);
      expect(response.result).to.equal(bytesToHex(tx.hash()));
      const pooled = node.pendingTransaction(tx.hash());
      expect(pooled).to.be.instanceOf(Blob4844Tx);
      expect((pooled as Blob4844Tx).blobVersionedHashes).to.deep.equal(tx.blobVersionedHashes);

      await node.mine();
      const mined = chain.head;
      expect(mined.transactions.map((t) => bytesToHex(t.hash()))).to.deep.equal([bytesToHex(tx.hash())]);
      expect(mined.header.blobGasUsed).to.equal(chain.common.param("blobGasPerBlob"));
      // The header must be one another node accepts: blob gas used is checked on import.
      const follower = await startNode("prague");
      await follower.chain.importBlock(mined);
      expect(bytesToHex(follower.chain.head.hash())).to.equal(bytesToHex(mined.hash()));
    });

    it("rejects a sidecar whose proof does not open the commitment, and pools nothing", async () => {
      const { chain, node, rpc } = await startNode("prague");
      const tx = blobTx(chain.common, { blobsData: ["native rollup batch"] }, () => [WRONG_PROOF]);
      const response = await send(rpc, tx);
      expect(response.error?.message).to.equal(
        "invalid blob sidecar: KZG proof cannot be verified from blobs/commitments",
      );
      expect(node.pendingTransaction(tx.hash())).to.equal(undefined);
    });
  });

  describe("from Osaka on (EIP-7594 cell proofs)", () => {
    it("accepts a blob transaction whose 128 cell proofs verify", async () => {
      const { chain, node, rpc } = await startNode("osaka");
      const tx = blobTx(chain.common, { blobs: [ZERO_BLOB] });
      expect(tx.networkWrapperVersion).to.equal(1);
      expect(tx.kzgProofs).to.have.length(128);
      const response = await send(rpc, tx);
      expect(response.error).to.equal(undefined);
      expect(node.pendingTransaction(tx.hash())).to.not.equal(undefined);
    });

    it("rejects a sidecar with one corrupted cell proof", async () => {
      const { chain, node, rpc } = await startNode("osaka");
      const tx = blobTx(chain.common, { blobs: [ZERO_BLOB] }, (computed) => [WRONG_PROOF, ...computed.slice(1)]);
      const response = await send(rpc, tx);
      expect(response.error?.message).to.equal(
        "invalid blob sidecar: KZG proof cannot be verified from blobs/commitments",
      );
      expect(node.pendingTransaction(tx.hash())).to.equal(undefined);
    });
  });

  it("refuses a blob transaction sent without its sidecar", async () => {
    const { chain, node, rpc } = await startNode("osaka");
    const tx = blobTx(chain.common, { blobs: [ZERO_BLOB] });
    const response = await rpc.handle({
      jsonrpc: "2.0",
      id: 1,
      method: "eth_sendRawTransaction",
      params: [bytesToHex(tx.serialize())],
    });
    expect((response as RpcResponse).error?.message).to.equal("missing sidecar in blob transaction");
    expect(node.pendingTransaction(tx.hash())).to.equal(undefined);
  });
});
