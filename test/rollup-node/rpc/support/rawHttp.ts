import type net from "node:net";

// HTTP/1.1 spoken by hand over a socket: the RPC server's keep-alive and limits are about what a
// client does between and inside requests, which fetch and Node's agent do not let a test control.

export const CHAIN_ID_CALL = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });

/** A whole kept-alive POST of `body`. */
export function request(port: number, body = CHAIN_ID_CALL): string {
  return `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Everything the socket receives until a whole JSON-RPC answer is there, or the socket closes. */
export function readAnswer(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      // The server answers in chunked encoding: its last chunk ends the answer.
      if (/\r\n\r\n[\s\S]*"(result|error)"[\s\S]*\r\n0\r\n\r\n$/.test(text)) finish();
    };
    const finish = (): void => {
      socket.off("data", onData);
      socket.off("close", finish);
      resolve(text);
    };
    socket.on("data", onData);
    socket.once("close", finish);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
