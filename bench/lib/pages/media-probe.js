// Init script of bench/streaming.mjs: wall-clock times (ms since the epoch) of what a viewer sees of the
// page's first <video>: its first presented frame (requestVideoFrameCallback) and, after `benchSeek(f)`,
// the first frame presented at or past the seek target. In window.mediaProbe.
globalThis.installMediaProbe = () => {
  const now = () => performance.timeOrigin + performance.now();
  const probe = { firstFrame: NaN, seekAt: NaN, seekTarget: NaN, resumed: NaN, duration: NaN, events: [] };
  window.mediaProbe = probe;
  const watched = new WeakSet();
  const bufferedEnd = (video) => (video.buffered.length > 0 ? video.buffered.end(video.buffered.length - 1) : 0);
  const watch = (video) => {
    if (watched.has(video)) return;
    watched.add(video);
    const onFrame = (_t, meta) => {
      const at = now();
      if (Number.isNaN(probe.firstFrame)) {
        probe.firstFrame = at;
        probe.events.push({ type: 'first frame (rVFC)', at, t: meta.mediaTime, buffered: bufferedEnd(video) });
      }
      if (!Number.isNaN(probe.seekAt) && Number.isNaN(probe.resumed) && meta.mediaTime >= probe.seekTarget - 0.5) probe.resumed = at;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    for (const type of ['loadstart', 'loadedmetadata', 'loadeddata', 'playing', 'seeking', 'seeked', 'waiting', 'error']) video.addEventListener(type, () => probe.events.push({ type, at: now(), t: video.currentTime, buffered: bufferedEnd(video) }));
  };
  new MutationObserver(() => document.querySelectorAll('video').forEach(watch)).observe(document, { subtree: true, childList: true });
  window.benchSeek = (fraction) => {
    const video = document.querySelector('video');
    probe.duration = video.duration;
    probe.seekTarget = video.duration * fraction;
    probe.seekAt = now();
    performance.mark('bench-seek');
    video.currentTime = probe.seekTarget;
  };
};
