// First: it must be in place before EXECUTE loads.
import "./webWorkerGuard";

import { parentPort, workerData } from "node:worker_threads";

import {
  L1_WORKER_DATA_KIND,
  type L1WorkerData,
  type L1WorkerMessage,
  type L1WorkerRequest,
  l1HeapStatistics,
  serializeError,
  startStoredL1,
} from "./l1Thread";

// Entry point of the rollup devnet's L1 thread (./l1Thread.ts starts it): the stored L1 devnet,
// served over HTTP, on a core of its own. It reports "ready" with what the node needs, and on
// "stop" stops mining and the server and closes the store before it reports "stopped". An error
// at start is reported as "failed" after the store is closed; an uncaught error later ends the
// thread, which the main thread sees as its death.
const port = parentPort;
const data = workerData as L1WorkerData | undefined;
if (port !== null && data?.kind === L1_WORKER_DATA_KIND) {
  const post = (message: L1WorkerMessage): void => port.postMessage(message);
  startStoredL1(data.options).then(
    (l1) => {
      port.on("message", (request: L1WorkerRequest) => {
        if (request.kind === "heap") {
          post({ kind: "heap", id: request.id, statistics: l1HeapStatistics(l1.devnet.chain, request.collectFirst) });
          return;
        }
        if (request.kind !== "stop") return;
        l1.stop().then(
          () => post({ kind: "stopped" }),
          (error: unknown) => post({ kind: "stopped", error: serializeError(error) }),
        );
      });
      post({
        kind: "ready",
        url: l1.devnet.url as string,
        port: l1.devnet.port as number,
        chainId: l1.devnet.chainId,
        executeAddress: l1.devnet.executeAddress,
        startHead: l1.startHead,
      });
    },
    (error: unknown) => post({ kind: "failed", error: serializeError(error) }),
  );
}
