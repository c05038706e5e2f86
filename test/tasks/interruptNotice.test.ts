import { EventEmitter } from "node:events";

import { expect } from "chai";

import { noticeOnInterrupt } from "../../tasks/taskErrors";

// A fresh-clone trial pressed Ctrl-C while rollup:withdraw waited for its L2 block's acceptance:
// the task ended without a word, though the withdrawal was out and rollup:finalize picks it up.
describe("rollup:deposit / :withdraw / :send-message interrupted while they follow the message they sent", () => {
  it("Ctrl-C ends the task with the command that follows the message, with the flags given, and status 130", () => {
    const signals = new EventEmitter();
    const lines: string[] = [];
    const exits: number[] = [];
    const remove = noticeOnInterrupt(
      { messageHash: "0xfb41", resumeWith: "rollup:finalize", flags: " --l1-rpc http://127.0.0.1:28545" },
      signals,
      (code) => exits.push(code),
      (line) => lines.push(line),
    );
    signals.emit("SIGINT");
    expect(lines.join("\n")).to.contain(
      "nothing is lost, message 0xfb41 is sent; follow it with npx hardhat rollup:finalize 0xfb41 --l1-rpc http://127.0.0.1:28545",
    );
    expect(exits).to.deep.equal([130]);
    remove();
    expect(signals.listenerCount("SIGINT")).to.equal(0);
  });

  it("once the task is done following, Ctrl-C is the default again (the handler is removed)", () => {
    const signals = new EventEmitter();
    const remove = noticeOnInterrupt({ messageHash: "0x01", resumeWith: "rollup:message" }, signals, () => {});
    expect(signals.listenerCount("SIGINT")).to.equal(1);
    remove();
    expect(signals.listenerCount("SIGINT")).to.equal(0);
  });
});
