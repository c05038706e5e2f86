import { expect } from "chai";

import { type L1Devnet, startL1Devnet } from "../../../rollup-node/devnet/l1Devnet";

const CHAIN_ID_CALL = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
const MINE_CALL = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] });

function post(url: string, body: string, origin?: string): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(origin === undefined ? {} : { Origin: origin }) },
    body,
  });
}

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(url, {
    method: "OPTIONS",
    headers: {
      Origin: origin,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type",
    },
  });
}

describe("JSON-RPC over HTTP: which web origins may call it (CORS)", function () {
  this.timeout(30_000);
  let closed: L1Devnet;
  let open: L1Devnet;

  before(async () => {
    [closed, open] = await Promise.all([
      startL1Devnet({ port: 0 }),
      startL1Devnet({ port: 0, corsOrigins: ["http://localhost:3000"] }),
    ]);
  });

  after(async () => {
    await Promise.all([closed?.stop(), open?.stop()]);
  });

  it("serves clients that send no Origin (ethers, curl, other nodes) as before", async () => {
    const response = await post(closed.url as string, CHAIN_ID_CALL);
    expect(response.status).to.equal(200);
    expect(((await response.json()) as { result: string }).result).to.equal("0x539");
  });

  it("by default answers no web page: no Access-Control-Allow-Origin, and a page's request is refused before it runs", async () => {
    const head = closed.chain.headNumber;
    const pre = await preflight(closed.url as string, "http://evil.example");
    expect(pre.headers.get("access-control-allow-origin")).to.equal(null);
    // A "simple" cross-origin request skips the preflight: it must not run either.
    const mined = await fetch(closed.url as string, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Origin: "http://evil.example" },
      body: MINE_CALL,
    });
    expect(mined.status).to.equal(403);
    expect(mined.headers.get("access-control-allow-origin")).to.equal(null);
    expect(((await mined.json()) as { error: { message: string } }).error.message).to.match(
      /origin http:\/\/evil\.example is not allowed/,
    );
    expect(closed.chain.headNumber).to.equal(head);
  });

  it("answers the origins it is configured with, and only those", async () => {
    const pre = await preflight(open.url as string, "http://localhost:3000");
    expect(pre.status).to.equal(204);
    expect(pre.headers.get("access-control-allow-origin")).to.equal("http://localhost:3000");
    const allowed = await post(open.url as string, CHAIN_ID_CALL, "http://localhost:3000");
    expect(allowed.status).to.equal(200);
    expect(allowed.headers.get("access-control-allow-origin")).to.equal("http://localhost:3000");
    const other = await post(open.url as string, CHAIN_ID_CALL, "http://localhost:3001");
    expect(other.status).to.equal(403);
    expect(other.headers.get("access-control-allow-origin")).to.equal(null);
  });
});
