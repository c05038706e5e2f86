import Module from "node:module";
import { dirname } from "node:path";

// Loaded first by the L1 thread (./l1Worker.ts), before EXECUTE. EXECUTE's proof verification
// uses ffjavascript, which loads the `web-worker` shim at once; on any worker thread that shim
// takes the thread for one of its own (it turns the global into a WorkerGlobalScope, listens on
// the thread's port and requires `workerData.mod`, printing a TypeError when there is none).
// EXECUTE builds its curve single-threaded (`buildBn128(true)`), so the L1 thread never starts a
// web worker: the shim is replaced by a Worker that says so, and the thread stays the L1's.
// (The challenger's check threads avoid the shim by loading precompiles/verify.ts instead; the L1
// needs all of EXECUTE.)
const ffjavascript = require.resolve("ffjavascript");
const shim = require.resolve("web-worker", { paths: [dirname(ffjavascript)] });
const stub = new Module(shim);
stub.filename = shim;
stub.loaded = true;
stub.exports = class NoWebWorker {
  constructor() {
    throw new Error("the L1 devnet thread starts no web workers (EXECUTE verifies proofs single-threaded)");
  }
};
require.cache[shim] = stub;
