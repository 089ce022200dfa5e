import { describe, expect, it } from 'vitest';
import { answerIdentity, pieceFrame } from './chunks.js';

describe('pieceFrame', () => {
  it('is one SSE event holding a complete chunk, whatever the model name', () => {
    for (const model of ['text', 'we"ird "delta":{} \n name']) {
      for (const withUsageField of [false, true]) {
        const identity = answerIdentity(model, withUsageField);
        const frame = pieceFrame(identity, { kind: 'toolArguments', callIndex: 1, text: '{"a"', opensCall: { id: 'call_1', name: 'f' } }, true);
        expect(frame.startsWith('data: ')).toBe(true);
        expect(frame.endsWith('\n\n')).toBe(true);
        expect(JSON.parse(frame.slice(6))).toEqual({
          id: identity.id,
          object: 'chat.completion.chunk',
          created: identity.created,
          model,
          system_fingerprint: 'fp_llm_sim',
          choices: [
            {
              index: 0,
              delta: { role: 'assistant', tool_calls: [{ index: 1, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a"' } }] },
              logprobs: null,
              finish_reason: null,
            },
          ],
          ...(withUsageField ? { usage: null } : {}),
        });
      }
    }
  });
});
