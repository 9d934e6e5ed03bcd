// Kept free of imports and DOM types so it can be tested under Node as it is.

export interface Message {
  id: string | null;
  event: string;
  data: string;
}

/** Splits an SSE text stream into messages (WHATWG rules: fields per line, blank line ends one). */
export function parseChunk(buffer: string): { messages: Message[]; rest: string } {
  const messages: Message[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    const msg: Message = { id: null, event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'id') msg.id = value;
      else if (field === 'event') msg.event = value;
    }
    msg.data = data.join('\n');
    messages.push(msg);
  }
  return { messages, rest };
}
