import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/api/types.js';
import { TorrentLifecycle } from '../../../src/core/engine/torrent-lifecycle.js';
import { StorageError } from '../../../src/core/storage/errors.js';

/** Records what the lifecycle asked for, in order: alerts as `state:<s>` / `error:<code>`, the rest by name. */
function setup(start: { hasMetadata: boolean; paused: boolean }) {
  const log: string[] = [];
  let complete: boolean | null = null;
  const say = (what: string) => () => {
    log.push(what);
  };
  const life = new TorrentLifecycle(
    {
      infoHashHex: 'ab'.repeat(20),
      complete: () => complete,
      closeLinks: say('close-links'),
      stopAnnounces: say('stopped'),
      restartAnnounces: say('restarted'),
      saveResume: async () => {
        log.push('save');
      },
      release: async (deleteData) => {
        log.push(deleteData ? 'release+delete' : 'release');
      },
      settleAnnounces: async () => {
        log.push('settled');
      },
      emit: (alert: Alert) => {
        if (alert.type === 'state-changed') log.push(`state:${alert.state}`);
        else if (alert.type === 'torrent-error') log.push(`error:${alert.code}`);
      },
      wake: say('wake'),
    },
    start,
  );
  return { life, log, setComplete: (c: boolean | null) => (complete = c) };
}

describe('TorrentLifecycle', () => {
  it('starts in metadata without metainfo, in checking with it, and is active only after the check', () => {
    expect(setup({ hasMetadata: false, paused: false }).life.state).toBe('metadata');
    const { life, log } = setup({ hasMetadata: true, paused: false });
    expect(life.state).toBe('checking');
    expect(life.active).toBe(false);
    life.checked(false);
    life.started();
    expect(life.state).toBe('downloading');
    expect(life.active).toBe(true);
    expect(log).toEqual(['state:downloading', 'wake']);
  });

  it('a torrent added paused stays paused through its check and does not ask for a tick', () => {
    const { life, log } = setup({ hasMetadata: true, paused: true });
    life.checked(true);
    life.started();
    expect(life.state).toBe('paused');
    expect(life.active).toBe(false);
    expect(log).toEqual(['state:paused']);
  });

  it('pause closes peers before announcing stopped, then saves; resume restarts and returns to seeding', async () => {
    const { life, log, setComplete } = setup({ hasMetadata: true, paused: false });
    setComplete(true);
    life.checked(true);
    log.length = 0;
    life.pause();
    life.pause();
    await Promise.resolve();
    expect(log).toEqual(['close-links', 'stopped', 'state:paused', 'save']);
    log.length = 0;
    life.resume();
    life.resume();
    expect(log).toEqual(['restarted', 'state:seeding', 'wake']);
    expect(life.active).toBe(true);
  });

  it('pausing while waiting for metadata keeps the metadata state, and resuming goes back to it', () => {
    const { life, log } = setup({ hasMetadata: false, paused: false });
    life.pause();
    expect(life.state).toBe('metadata');
    life.resume();
    expect(life.state).toBe('metadata');
    expect(log).not.toContain('state:paused');
  });

  it('a failure emits error and closes peers; only a full disk is cleared by pause and resume', () => {
    const io = setup({ hasMetadata: true, paused: false });
    io.setComplete(false);
    io.life.checked(false);
    io.log.length = 0;
    io.life.fail(new StorageError('storage/io', 'EIO'));
    expect(io.log).toEqual(['state:error', 'error:storage/io', 'close-links']);
    io.life.pause();
    io.life.resume();
    expect(io.life.state).toBe('error');
    expect(io.life.error?.code).toBe('storage/io');

    const full = setup({ hasMetadata: true, paused: false });
    full.setComplete(false);
    full.life.checked(false);
    full.life.fail(new StorageError('storage/disk-full', 'ENOSPC'));
    full.life.pause();
    full.life.resume();
    expect(full.life.state).toBe('downloading');
    expect(full.life.error).toBeNull();
    expect(full.life.active).toBe(true);
  });

  it('close saves before releasing, announces stopped, waits for the trackers, and happens once', async () => {
    const { life, log } = setup({ hasMetadata: true, paused: false });
    life.checked(false);
    log.length = 0;
    await life.close();
    await life.close();
    expect(log).toEqual(['save', 'close-links', 'stopped', 'release', 'settled']);
    expect(life.removed).toBe(true);
    expect(life.active).toBe(false);
    life.pause();
    life.resume();
    life.started();
    expect(log).toHaveLength(5);
  });

  it('close with deleteData does not save and deletes what it releases', async () => {
    const { life, log } = setup({ hasMetadata: true, paused: false });
    await life.close({ deleteData: true });
    expect(log).toEqual(['close-links', 'stopped', 'release+delete', 'settled']);
  });

  it('a priority change moves seeding back to downloading, and says when downloading became finished', () => {
    const { life, setComplete } = setup({ hasMetadata: true, paused: false });
    setComplete(true);
    life.checked(true);
    setComplete(false);
    expect(life.selectionChanged()).toBe(false);
    expect(life.state).toBe('downloading');
    setComplete(true);
    expect(life.selectionChanged()).toBe(true);
    life.finished();
    expect(life.state).toBe('seeding');
  });
});
