import { describe, expect, it } from 'vitest';
import type { ProjectFileChange } from '@nanoclaw/protocol';
import { LocalChangeFeed } from './projectChangeFeed.js';

const change = (projectId: string, path: string): ProjectFileChange => ({ project_id: projectId, kind: 'written', paths: [path] });

describe('LocalChangeFeed', () => {
  it('delivers a change to the listeners of its project only, until they unsubscribe', () => {
    const feed = new LocalChangeFeed();
    const heard: string[] = [];
    const stopA = feed.subscribe('a', (c) => heard.push(`a1:${c.paths[0]}`));
    feed.subscribe('a', (c) => heard.push(`a2:${c.paths[0]}`));
    feed.subscribe('b', (c) => heard.push(`b:${c.paths[0]}`));
    feed.publish(change('a', 'x'));
    stopA();
    feed.publish(change('a', 'y'));
    feed.publish(change('c', 'z'));
    expect(heard).toEqual(['a1:x', 'a2:x', 'a2:y']);
    expect(feed.listenerCount('a')).toBe(1);
    expect(feed.listenerCount()).toBe(2);
  });

  it('keeps delivering to the others when one listener throws', () => {
    const feed = new LocalChangeFeed();
    const heard: string[] = [];
    feed.subscribe('a', () => {
      throw new Error('the response is gone');
    });
    feed.subscribe('a', (c) => heard.push(c.paths[0] as string));
    feed.publish(change('a', 'x'));
    expect(heard).toEqual(['x']);
  });

  it('forgets a project once its last listener leaves', () => {
    const feed = new LocalChangeFeed();
    const stop = feed.subscribe('a', () => {});
    stop();
    stop();
    expect(feed.listenerCount()).toBe(0);
  });
});
