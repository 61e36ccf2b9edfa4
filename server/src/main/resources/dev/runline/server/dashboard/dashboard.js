// The Runline dashboard. It reads everything through the server's API with the key the
// person entered, sent in the Authorization header (never in a URL), and puts every value
// that comes from a job into the page as text (textContent), never as HTML.
'use strict';

(function () {
  const KEY_STORAGE = 'runline.apiKey';
  const STATUSES = ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];
  const LIVE = new Set(['IN_QUEUE', 'IN_PROGRESS']);
  const PAGE_SIZE = 50;
  const RETRY_MS = [1000, 2000, 5000, 10000];

  const $ = (id) => document.getElementById(id);

  /** An element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // ---- formatting ----------------------------------------------------------------------

  const number = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));

  function duration(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return ms + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + ' s';
    if (ms < 3600000) return (ms / 60000).toFixed(1) + ' min';
    return (ms / 3600000).toFixed(1) + ' h';
  }

  function bytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
    return (n / (1024 * 1024)).toFixed(1) + ' MB';
  }

  function time(ms) {
    if (ms === null || ms === undefined) return '–';
    const d = new Date(ms);
    const pad = (v, w) => String(v).padStart(w || 2, '0');
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':'
      + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + pad(d.getMilliseconds(), 3);
  }

  function pair(a, b, format) {
    if ((a === null || a === undefined) && (b === null || b === undefined)) return '–';
    return format(a) + ' / ' + format(b);
  }

  function oneLine(value, max) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text === undefined) return '';
    return text.length > max ? text.slice(0, max - 1) + '…' : text;
  }

  // ---- the key and the API ---------------------------------------------------------------

  let apiKey = sessionStorage.getItem(KEY_STORAGE);

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  function headers(extra) {
    return Object.assign({ Authorization: 'Bearer ' + apiKey }, extra || {});
  }

  async function refusal(response) {
    let message = 'HTTP ' + response.status;
    try {
      const body = await response.json();
      if (body && typeof body.error === 'string') message = body.error;
    } catch (notJson) {
      // The status line says enough.
    }
    return new ApiError(response.status, message);
  }

  async function api(method, path) {
    const response = await fetch(path, { method, headers: headers(), cache: 'no-store' });
    if (!response.ok) throw await refusal(response);
    return response.json();
  }

  /**
   * Reads server-sent events from a fetch (EventSource cannot send the Authorization header),
   * calling onEvent(name, data) for each, until the stream ends or signal aborts.
   */
  async function readEvents(path, onEvent, signal) {
    const response = await fetch(path, {
      headers: headers({ Accept: 'text/event-stream' }), cache: 'no-store', signal,
    });
    if (!response.ok) throw await refusal(response);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        let name = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length) onEvent(name, JSON.parse(data.join('\n')));
      }
    }
  }

  /**
   * Keeps a stream open: reconnects after a pause when it ends or fails, until stopped. A
   * refused key ends it (onRefused); so does another refusal that waiting will not change
   * (a 4xx other than 429), which is shown.
   */
  function keepReading(path, onEvent, onState, onRefused) {
    const controller = new AbortController();
    let failures = 0;
    (async () => {
      while (!controller.signal.aborted) {
        try {
          await readEvents(path, (name, data) => {
            failures = 0;
            onState('live');
            onEvent(name, data);
          }, controller.signal);
        } catch (error) {
          if (controller.signal.aborted) return;
          if (error instanceof ApiError && error.status === 401) {
            onRefused(error);
            return;
          }
          if (error instanceof ApiError) {
            showMessage(error.message, true);
            if (error.status >= 400 && error.status < 500 && error.status !== 429) return;
          }
        }
        if (controller.signal.aborted) return;
        onState('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]));
      }
    })();
    return () => controller.abort();
  }

  // ---- messages, the prompt, the confirmation ---------------------------------------------

  function showMessage(text, isError) {
    const box = $('message');
    box.textContent = text;
    box.className = 'message' + (isError ? ' error' : '');
    box.hidden = false;
  }

  function clearMessage() {
    $('message').hidden = true;
  }

  function confirmAction(text) {
    return new Promise((resolve) => {
      const modal = $('confirm');
      $('confirm-text').textContent = text;
      modal.hidden = false;
      const done = (answer) => {
        modal.hidden = true;
        $('confirm-yes').removeEventListener('click', yes);
        $('confirm-no').removeEventListener('click', no);
        resolve(answer);
      };
      const yes = () => done(true);
      const no = () => done(false);
      $('confirm-yes').addEventListener('click', yes);
      $('confirm-no').addEventListener('click', no);
      $('confirm-no').focus();
    });
  }

  function showPrompt(error) {
    stopFigures();
    stopView();
    $('views').hidden = true;
    $('live').hidden = true;
    $('forget-key').hidden = true;
    $('crumbs').replaceChildren();
    clearMessage();
    $('prompt').hidden = false;
    $('key-error').textContent = error || '';
    $('key').focus();
  }

  function forgetKey(why) {
    apiKey = null;
    sessionStorage.removeItem(KEY_STORAGE);
    showPrompt(why);
  }

  $('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const entered = $('key').value.trim();
    if (!entered) return;
    apiKey = entered;
    $('key-error').textContent = '';
    startFigures(true);
  });

  $('forget-key').addEventListener('click', () => forgetKey(''));

  // ---- the figures: every endpoint, live ------------------------------------------------------

  /** name -> {name, backend, workersConfigured, health, lastMinute, series} */
  let figures = new Map();
  let stopFiguresStream = null;

  function startFigures(fromPrompt) {
    stopFigures();
    let opened = false;
    stopFiguresStream = keepReading('events', (name, data) => {
      if (name === 'snapshot') {
        figures = new Map(data.endpoints.map((e) => [e.name, e]));
        if (!opened) {
          opened = true;
          if (fromPrompt) sessionStorage.setItem(KEY_STORAGE, apiKey);
          $('prompt').hidden = true;
          $('views').hidden = false;
          $('forget-key').hidden = false;
          $('key').value = '';
          route();
        }
      } else if (name === 'tick') {
        for (const fresh of data.endpoints) appendTick(fresh, data.secondsKept);
      }
      showNodes(data.nodes);
      refreshFigures();
    }, (state) => {
      const live = $('live');
      live.hidden = !opened;
      live.textContent = state === 'live' ? 'live' : 'reconnecting…';
      live.className = 'live ' + state;
    }, (error) => forgetKey((opened ? 'The key is no longer valid for this server: ' : 'That key was refused: ')
      + error.message));
  }

  /** The cluster's live nodes, the one serving this page first; none without a shared store. */
  function showNodes(nodes) {
    const cluster = $('cluster');
    cluster.hidden = !nodes || nodes.length === 0;
    cluster.textContent = cluster.hidden ? ''
      : 'A cluster of ' + nodes.length + ' node(s): ' + nodes.join(', ') + '. This page is served by ' + nodes[0] + '.';
  }

  function stopFigures() {
    if (stopFiguresStream) stopFiguresStream();
    stopFiguresStream = null;
  }

  function appendTick(fresh, secondsKept) {
    const known = figures.get(fresh.name);
    if (!known) {
      figures.set(fresh.name, fresh);
      return;
    }
    known.health = fresh.health;
    known.lastMinute = fresh.lastMinute;
    const t = fresh.series.t;
    if (!t.length) return;
    const series = known.series;
    const last = series.t.length ? series.t[series.t.length - 1] : null;
    for (const [key, values] of Object.entries(fresh.series)) {
      if (!series[key]) series[key] = [];
      if (last === t[0]) series[key][series[key].length - 1] = values[0];
      else series[key].push(values[0]);
    }
    const oldest = t[0] - secondsKept;
    let drop = 0;
    while (drop < series.t.length && series.t[drop] <= oldest) drop++;
    if (drop) for (const key of Object.keys(series)) series[key].splice(0, drop);
  }

  // ---- charts ---------------------------------------------------------------------------------

  const CHARTS = [
    {
      title: 'Jobs ended per second', unit: '/s',
      lines: [['completed', 'completed', '#2da44e'], ['failed', 'failed', '#cf222e'],
        ['timedOut', 'timed out', '#bf8700'], ['cancelled', 'cancelled', '#8c959f']],
    },
    {
      title: 'Queue', unit: '',
      lines: [['inQueue', 'in queue', '#1f6feb'], ['inProgress', 'in progress', '#8250df']],
    },
    {
      title: 'Latency (ms) of jobs ended each second', unit: ' ms',
      lines: [['delayP50', 'delay p50', '#54aeff'], ['delayP95', 'delay p95', '#0969da'],
        ['executionP50', 'execution p50', '#fd8c73'], ['executionP95', 'execution p95', '#bc4c00']],
    },
  ];

  /** Three charts of one endpoint in container; update() redraws them from the figures. */
  function chartPanel(container, endpointName) {
    container.replaceChildren();
    const plots = CHARTS.map((chart) => {
      const box = el('div', { class: 'chart', 'data-chart': chart.title });
      container.append(box);
      // Three side by side: the container's width less the two gaps, less each box's border and padding.
      const width = Math.max(300, Math.floor(((container.clientWidth || 960) - 32) / CHARTS.length) - 10);
      return new uPlot({
        title: chart.title,
        width,
        height: 200,
        scales: { x: { time: true } },
        series: [{}].concat(chart.lines.map(([, label, color]) => ({
          label, stroke: color, width: 1.5, spanGaps: false,
          value: (u, v) => (v === null || v === undefined ? '–' : number(v) + chart.unit),
        }))),
        axes: [{}, { size: 60 }],
      }, data(chart, endpointName), box);
    });
    return {
      update() {
        plots.forEach((plot, i) => plot.setData(data(CHARTS[i], endpointName)));
      },
      destroy() {
        plots.forEach((plot) => plot.destroy());
      },
    };
  }

  function data(chart, endpointName) {
    const e = figures.get(endpointName);
    const series = e ? e.series : { t: [] };
    return [series.t.slice()].concat(chart.lines.map(([key]) => (series[key] || []).slice()));
  }

  // ---- views ------------------------------------------------------------------------------------

  let view = null;

  function stopView() {
    if (view && view.stop) view.stop();
    view = null;
  }

  function refreshFigures() {
    if (view && view.figures) view.figures();
  }

  /** #/ | #/endpoint/{name}[?status=...] | #/endpoint/{name}/job/{id} */
  function route() {
    if (!apiKey || $('views').hidden) return;
    stopView();
    clearMessage();
    const hash = location.hash.replace(/^#/, '') || '/';
    const [path, queryText] = hash.split('?');
    const query = new URLSearchParams(queryText || '');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    for (const id of ['overview-view', 'endpoint-view', 'job-view']) $(id).hidden = true;
    if (parts[0] === 'endpoint' && parts.length === 2) {
      view = endpointView(parts[1], query.get('status') || '');
    } else if (parts[0] === 'endpoint' && parts.length === 4 && parts[2] === 'job') {
      view = jobView(parts[1], parts[3]);
    } else {
      view = overviewView();
    }
  }

  window.addEventListener('hashchange', route);

  function crumbs(...items) {
    $('crumbs').replaceChildren(...items.map((item, i) => [
      i ? el('span', { class: 'sep', text: '/' }) : null,
      item.href ? el('a', { href: item.href, text: item.text }) : el('span', { text: item.text }),
    ]).flat().filter(Boolean));
  }

  const endpointHref = (name, status) => '#/endpoint/' + encodeURIComponent(name)
    + (status ? '?status=' + encodeURIComponent(status) : '');
  const jobHref = (name, id) => '#/endpoint/' + encodeURIComponent(name) + '/job/' + encodeURIComponent(id);

  // -- overview

  function overviewView() {
    $('overview-view').hidden = false;
    crumbs({ text: 'Endpoints' });
    const select = $('chart-endpoint');
    const chosen = select.value;
    select.replaceChildren(...[...figures.keys()].map((name) => el('option', { value: name, text: name })));
    if (chosen && figures.has(chosen)) select.value = chosen;
    let panel = chartPanel($('overview-charts'), select.value);
    const onSelect = () => {
      panel.destroy();
      panel = chartPanel($('overview-charts'), select.value);
    };
    select.addEventListener('change', onSelect);
    const render = () => {
      const rows = [...figures.values()].map((e) => {
        const jobs = e.health ? e.health.jobs : {};
        const workers = e.health ? e.health.workers : {};
        const m = e.lastMinute || {};
        const cell = (figure, text) => el('td', { class: 'num', 'data-figure': figure, text });
        return el('tr', { 'data-endpoint': e.name },
          el('th', { scope: 'row' }, el('a', { href: endpointHref(e.name), text: e.name })),
          el('td', { 'data-figure': 'backend', text: e.backend }),
          cell('inQueue', number(jobs.inQueue)),
          cell('inProgress', number(jobs.inProgress)),
          cell('completed', number(jobs.completed)),
          cell('failed', number(jobs.failed)),
          cell('retried', number(jobs.retried)),
          cell('completedPerMinute', number(m.completed)),
          cell('failedPerMinute', number(m.failed)),
          cell('delay', pair(m.delayP50, m.delayP95, duration)),
          cell('execution', pair(m.executionP50, m.executionP95, duration)),
          el('td', { class: 'num' },
            el('span', { 'data-figure': 'workersIdle', text: number(workers.idle) }), ' / ',
            el('span', { 'data-figure': 'workersRunning', text: number(workers.running) }), ' / ',
            el('span', { 'data-figure': 'workersUnhealthy', text: number(workers.unhealthy) }),
            el('span', { class: 'of', text: ' of ' + e.workersConfigured })));
      });
      document.querySelector('#endpoints tbody').replaceChildren(...rows);
      panel.update();
    };
    render();
    return {
      figures: render,
      stop() {
        select.removeEventListener('change', onSelect);
        panel.destroy();
      },
    };
  }

  // -- one endpoint: its figures, charts and the key's jobs

  function endpointView(name, status) {
    $('endpoint-view').hidden = false;
    crumbs({ text: 'Endpoints', href: '#/' }, { text: name });
    $('endpoint-title').textContent = name;
    const panel = chartPanel($('endpoint-charts'), name);
    const summary = () => {
      const e = figures.get(name);
      if (!e || !e.health) {
        $('endpoint-summary').textContent = figures.size ? 'No endpoint of that name on this server.' : '';
        return;
      }
      const jobs = e.health.jobs;
      const w = e.health.workers;
      $('endpoint-summary').textContent = 'backend ' + e.backend + ' · ' + number(jobs.inQueue) + ' in queue · '
        + number(jobs.inProgress) + ' in progress · ' + number(jobs.completed) + ' completed · '
        + number(jobs.failed) + ' failed · workers ' + number(w.idle) + ' idle, ' + number(w.running)
        + ' running, ' + number(w.unhealthy) + ' unhealthy';
      panel.update();
    };
    summary();

    $('status-filter').replaceChildren(...[''].concat(STATUSES).map((s) => el('a', {
      href: endpointHref(name, s), class: 'chip' + (s === status ? ' on' : ''), 'data-status': s,
      text: s ? s.replace('_', ' ').toLowerCase() : 'all',
    })));

    const base = '/v2/' + encodeURIComponent(name) + '/requests?limit=' + PAGE_SIZE
      + (status ? '&status=' + encodeURIComponent(status) : '');
    let cursors = [];
    let stopFollow = null;
    let nextCursor = null;

    const showPage = (page) => {
      nextCursor = page.nextCursor;
      $('older-page').disabled = !nextCursor;
      $('newest-page').disabled = cursors.length === 0;
      $('jobs-empty').hidden = page.jobs.length > 0;
      document.querySelector('#jobs tbody').replaceChildren(...page.jobs.map((job) => el('tr', { 'data-job-id': job.id },
        el('td', { class: 'mono' }, el('a', { href: jobHref(name, job.id), text: job.id })),
        el('td', { 'data-field': 'status' }, el('span', { class: 'badge ' + job.status, text: job.status })),
        el('td', { class: 'num', text: duration(job.delayTime) }),
        el('td', { class: 'num', text: duration(job.executionTime) }),
        el('td', { class: 'num', text: job.retries ? number(job.retries) : '' }),
        el('td', { class: 'mono', text: job.workerId || '' }),
        el('td', { class: 'snippet', 'data-field': 'summary',
          text: job.error ? oneLine(job.error, 120)
            : job.outputBytes ? 'output of ' + bytes(job.outputBytes) + ' (see the job)'
              : job.output !== undefined ? oneLine(job.output, 120) : '' }))));
    };

    const follow = () => {
      stopFollow = keepReading(base, (event, page) => {
        if (event === 'page') showPage(page);
      }, () => {}, (error) => forgetKey('The key is no longer valid for this server: ' + error.message));
    };

    const older = async () => {
      if (!nextCursor) return;
      if (stopFollow) stopFollow();
      stopFollow = null;
      cursors.push(nextCursor);
      try {
        showPage(await api('GET', base + '&cursor=' + encodeURIComponent(nextCursor)));
      } catch (error) {
        cursors.pop();
        showMessage(error.message, true);
      }
    };
    const newest = () => {
      cursors = [];
      if (!stopFollow) follow();
    };
    const purge = async () => {
      const yes = await confirmAction('Remove every job of this key still waiting in the queue of "' + name
        + '"? Jobs already running go on.');
      if (!yes) return;
      try {
        const result = await api('POST', '/v2/' + encodeURIComponent(name) + '/purge-queue');
        showMessage('Purged the queue of ' + name + ': ' + number(result.removed) + ' job(s) removed.', false);
      } catch (error) {
        showMessage(error.message, true);
      }
    };
    const find = (event) => {
      event.preventDefault();
      const id = $('find-id').value.trim();
      if (id) location.hash = jobHref(name, id);
    };

    $('older-page').addEventListener('click', older);
    $('newest-page').addEventListener('click', newest);
    $('purge-queue').addEventListener('click', purge);
    $('find-form').addEventListener('submit', find);
    document.querySelector('#jobs tbody').replaceChildren();
    $('jobs-empty').hidden = true;
    follow();
    return {
      figures: summary,
      stop() {
        if (stopFollow) stopFollow();
        panel.destroy();
        $('older-page').removeEventListener('click', older);
        $('newest-page').removeEventListener('click', newest);
        $('purge-queue').removeEventListener('click', purge);
        $('find-form').removeEventListener('submit', find);
      },
    };
  }

  // -- one job

  function jobView(name, id) {
    $('job-view').hidden = false;
    crumbs({ text: 'Endpoints', href: '#/' }, { text: name, href: endpointHref(name) }, { text: id });
    $('job-id').textContent = id;
    $('job-missing').hidden = true;
    $('job-body').hidden = true;
    $('job-status').textContent = '';
    $('cancel-job').hidden = true;
    $('retry-job').hidden = true;
    const path = (route) => '/v2/' + encodeURIComponent(name) + '/' + route + '/' + encodeURIComponent(id);
    let timer = null;
    let stopped = false;

    const preview = (target, sizeTarget, value) => {
      $(target).textContent = value ? value.json : '';
      $(sizeTarget).textContent = !value ? '' : value.truncated
        ? '(' + bytes(value.bytes) + '; the first ' + bytes(new TextEncoder().encode(value.json).length) + ' shown)'
        : '(' + bytes(value.bytes) + ')';
    };
    const facts = (target, rows) => $(target).replaceChildren(...rows.flatMap(([term, value, field]) => [
      el('dt', { text: term }), el('dd', { 'data-field': field, text: value })]));

    const render = (job) => {
      const s = job.status;
      $('job-body').hidden = false;
      $('job-status').textContent = s.status;
      $('job-status').className = 'badge ' + s.status;
      $('cancel-job').hidden = !LIVE.has(s.status);
      $('retry-job').hidden = !(s.status === 'FAILED' || s.status === 'TIMED_OUT');
      const t = job.timeline;
      facts('job-timeline', [
        ['Queued', time(t.queuedAt), 'queuedAt'],
        ['Started', time(t.startedAt) + (s.delayTime !== undefined ? ' (after ' + duration(s.delayTime) + ')' : ''),
          'startedAt'],
        ['Ended', time(t.endedAt) + (t.endedAt && s.executionTime !== undefined
          ? ' (ran ' + duration(s.executionTime) + ')' : ''), 'endedAt'],
      ]);
      facts('job-facts', [
        ['Status', s.status, 'status'],
        ['Retries', number(s.retries || 0), 'retries'],
        ['Worker', s.workerId || '–', 'workerId'],
        ['Execution timeout', duration(job.policy.executionTimeout), 'executionTimeout'],
        ['ttl', duration(job.policy.ttl), 'ttl'],
        ['Low priority', job.policy.lowPriority ? 'yes' : 'no', 'lowPriority'],
      ]);
      $('job-error').textContent = s.error || '–';
      preview('job-output', 'job-output-size', job.output);
      if (!job.output) $('job-output').textContent = '–';
      preview('job-input', 'job-input-size', job.input);
      preview('job-status-body', 'job-body-size', job.statusBody);
      const chunks = job.stream.chunks;
      $('job-stream-count').textContent = '(' + number(job.stream.count) + ' chunk(s)'
        + (job.stream.count > chunks.length ? '; the first ' + chunks.length + ' shown' : '') + ')';
      $('job-stream').replaceChildren(...chunks.map((chunk) => el('li', {},
        el('pre', { class: 'value', text: chunk.json }),
        chunk.truncated ? el('span', { class: 'size', text: '(' + bytes(chunk.bytes) + ', cut)' }) : null)));
      if (job.webhook) {
        $('job-webhook').textContent = job.webhook.url;
        document.querySelector('#job-deliveries tbody').replaceChildren(...job.webhook.deliveries.map((d) => el('tr', {},
          el('td', { class: 'num', text: d.attempt }),
          el('td', { text: time(d.at) }),
          el('td', { text: d.httpStatus !== null ? 'HTTP ' + d.httpStatus : d.error || '–' }),
          el('td', { text: d.delivered ? 'yes' : 'no' }))));
        $('job-deliveries').hidden = job.webhook.deliveries.length === 0;
      } else {
        $('job-webhook').textContent = 'none';
        $('job-deliveries').hidden = true;
      }
      return LIVE.has(s.status);
    };

    const load = async () => {
      timer = null;
      try {
        const live = render(await api('GET', path('requests')));
        if (live && !stopped) timer = setTimeout(load, 1000);
      } catch (error) {
        if (error.status === 404) {
          $('job-body').hidden = true;
          $('job-missing').hidden = false;
          $('job-missing').textContent = error.message;
        } else if (error.status === 401) {
          forgetKey('The key is no longer valid for this server: ' + error.message);
        } else {
          showMessage(error.message, true);
          if (!stopped) timer = setTimeout(load, 2000);
        }
      }
    };
    const act = (action) => async () => {
      try {
        await api('POST', path(action));
        clearMessage();
      } catch (error) {
        showMessage(error.message, true);
      }
      if (timer) clearTimeout(timer);
      load();
    };
    const cancel = act('cancel');
    const retry = act('retry');
    $('cancel-job').addEventListener('click', cancel);
    $('retry-job').addEventListener('click', retry);
    load();
    return {
      stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        $('cancel-job').removeEventListener('click', cancel);
        $('retry-job').removeEventListener('click', retry);
      },
    };
  }

  // ---- start ------------------------------------------------------------------------------------

  if (apiKey) startFigures(false);
  else showPrompt('');
}());
