import { spawn } from "node:child_process";
import path from "node:path";
import { expect } from "chai";

const WORKER_MESSAGES = path.join(__dirname, "workerMessages.js");

/** What a child process that loaded `preload` (or nothing) delivers when it sends `{ actual: 1n }`. */
async function sendBigintFromChild(preload: string[]): Promise<{ message?: unknown; error?: string }> {
  const code = `try { process.send({ title: "fails", err: { actual: { gas: 21000n }, expected: [1n] } }); }
    catch (error) { process.send({ error: String(error) }); }
    process.disconnect();`;
  const child = spawn(process.execPath, [...preload.flatMap((file) => ["--require", file]), "-e", code], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (message) => resolve(message as { message?: unknown; error?: string }));
    child.once("error", reject);
  });
}

describe("mocha worker messages (test/support/workerMessages.js)", () => {
  it("a worker's result holding a BigInt reaches the main process, the bigint as its text", async () => {
    expect(await sendBigintFromChild([WORKER_MESSAGES])).to.deep.equal({
      title: "fails",
      err: { actual: { gas: "21000n" }, expected: ["1n"] },
    });
  });

  it("without it, sending such a result throws (what lost a file's results in CI)", async () => {
    const answer = await sendBigintFromChild([]);
    expect(answer.error).to.match(/Do not know how to serialize a BigInt/);
  });
});
