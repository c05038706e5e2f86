import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { describeSendError } from "../../../rollup-node/bridge/txErrors";

/**
 * An L1 whose JSON-RPC error ethers cannot map to one of its codes ("could not coalesce error",
 * UNKNOWN_ERROR): the submitter's retry line must carry the node's own reason, which ethers keeps
 * in `error.error`, not ethers' placeholder (trial s28: a take-over node's lost race logged
 * "advance of L2 block 1 failed: could not coalesce error" against `npx hardhat node`).
 */
describe("describeSendError: an L1 error ethers cannot coalesce keeps the node's reason", function () {
  this.timeout(30_000);
  const REASON = "transaction underpriced: gas tip cap 1, minimum needed 2";
  let server: Server;
  let url: string;

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        const request = JSON.parse(body) as { id: number; method: string };
        const results: Record<string, string> = { eth_chainId: "0x7a69", eth_blockNumber: "0x1" };
        const reply =
          request.method in results
            ? { jsonrpc: "2.0", id: request.id, result: results[request.method] }
            : { jsonrpc: "2.0", id: request.id, error: { code: -32000, message: REASON } };
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server?.close();
  });

  it("names the node's message and code, and the transaction by hash", async () => {
    const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true, batchMaxCount: 1 });
    const wallet = Wallet.createRandom();
    const raw = await wallet.signTransaction({
      to: wallet.address,
      chainId: 31337,
      nonce: 0,
      gasLimit: 21_000,
      maxFeePerGas: 2,
      maxPriorityFeePerGas: 1,
    });
    const error = await provider.broadcastTransaction(raw).then(
      () => undefined,
      (e: unknown) => e,
    );
    provider.destroy();
    expect((error as { shortMessage?: string }).shortMessage).to.equal("could not coalesce error");
    const text = describeSendError(error);
    expect(text).to.match(
      new RegExp(`^L1 node: ${REASON} \\(JSON-RPC error -32000\\) \\(tx 0x[0-9a-f]{64} \\(\\d+ B\\)\\)$`),
    );
  });
});
