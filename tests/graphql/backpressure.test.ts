import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_CLOSE } from '../../src/server/ws.js';
import { testServer } from '../server/helpers.js';

it('drops a WebSocket client that stops reading, with its close code, while the others keep up', async () => {
  const s = await testServer({ socketBufferBytes: 256 * 1024 });
  try {
    await s.server.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `ws://127.0.0.1:${(s.server.app.server.address() as AddressInfo).port}/api/v1/ws?type=updated`;
    const open = async () => {
      const socket = new WebSocket(url);
      await new Promise((r) => socket.once('open', r));
      return socket;
    };
    const slow = await open();
    const fast = await open();
    let fastEvents = 0;
    fast.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'event') fastEvents++;
    });
    const closed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
    // The slow client reads nothing: its bytes pile up in the kernel, then in the server's buffer.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const task = await s.baton.createTask({ title: 'big' });
    const updates = 300;
    for (let i = 0; i < updates; i++) await s.baton.updateTask(task.id, { description: `${i}`.padEnd(19_000, 'x') });
    await s.server.feed.flush();
    const deadline = Date.now() + 20_000;
    while (fastEvents < updates && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fastEvents).toBe(updates);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(WS_CLOSE.slow);
    fast.close();
  } finally {
    await s.close();
  }
});
