import { expect } from "chai";

import { compareResponse } from "../../../rollup-node/conformance/compare";
import { IoFormatError } from "../../../rollup-node/conformance/errors";
import { parseIoFile } from "../../../rollup-node/conformance/ioFile";

describe("rpc-compat case files", () => {
  it("reads comments, speconly marks and several round trips in order", () => {
    const parsed = parseIoFile(
      [
        "// sends then reads",
        "// speconly: client response is only checked for schema validity.",
        '>> {"jsonrpc":"2.0","id":1,"method":"a"}',
        '<< {"jsonrpc":"2.0","id":1,"result":"0x1"}',
        '>> {"jsonrpc":"2.0","id":2,"method":"b","params":[]}',
        '<< {"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"x"}}',
        "",
      ].join("\n"),
      "eth_x",
      "case",
    );
    expect(parsed.name).to.equal("eth_x/case");
    expect(parsed.specOnly).to.equal(true);
    expect(parsed.comments[0]).to.equal("sends then reads");
    expect(parsed.roundTrips.map((t) => (t.request as { method: string }).method)).to.deep.equal(["a", "b"]);
  });

  it("rejects a request without a response and a response without a request", () => {
    expect(() => parseIoFile('>> {"id":1}', "m", "c")).to.throw(IoFormatError, /no response/);
    expect(() => parseIoFile('<< {"id":1}', "m", "c")).to.throw(IoFormatError, /without a request/);
    expect(() => parseIoFile("garbage", "m", "c")).to.throw(IoFormatError, /must start with/);
  });
});

describe("rpc-compat response comparison", () => {
  it("requires JSON-equal results, whatever the key order, and names the differing path", () => {
    expect(compareResponse({ result: { a: "0x1", b: ["0x2"] } }, { result: { b: ["0x2"], a: "0x1" } }).ok).to.equal(
      true,
    );
    const verdict = compareResponse({ result: { a: "0x1", b: ["0x2"] } }, { result: { a: "0x1", b: ["0x3"], c: 1 } });
    expect(verdict.ok).to.equal(false);
    expect(verdict.differences).to.deep.equal(['result.b[0]: expected "0x2", got "0x3"', "result.c: unexpected 1"]);
  });

  it("matches errors by code only, as upstream does", () => {
    expect(
      compareResponse({ error: { code: -32602, message: "a" } }, { error: { code: -32602, message: "b" } }).ok,
    ).to.equal(true);
    expect(
      compareResponse({ error: { code: -32602, message: "a" } }, { error: { code: -32000, message: "a" } }).ok,
    ).to.equal(false);
    expect(compareResponse({ error: { code: -32602, message: "a" } }, { result: null }).ok).to.equal(false);
    expect(compareResponse({ result: null }, { error: { code: -32000, message: "a" } }).ok).to.equal(false);
  });

  it("checks speconly cases for the kind and keys of the result only", () => {
    expect(
      compareResponse({ result: { pending: {}, queued: {} } }, { result: { pending: { x: 1 }, queued: {} } }, true).ok,
    ).to.equal(true);
    expect(compareResponse({ result: { pending: {}, queued: {} } }, { result: { pending: {} } }, true).ok).to.equal(
      false,
    );
    expect(compareResponse({ result: [] }, { result: {} }, true).ok).to.equal(false);
  });
});
