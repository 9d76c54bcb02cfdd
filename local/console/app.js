// The local console: plain JavaScript, no build step. Reads /_local/console/api/* and
// renders items, bookings by state, one booking's (or correlation id's) timeline, and
// the dead-letter queues with a redrive button. Refreshes every two seconds.

const api = (path, init) =>
  fetch(`/_local/console/api/${path}`, init).then(async (r) => {
    const body = await r.json();
    if (!r.ok) throw new Error(body.message ?? r.statusText);
    return body;
  });
const $ = (selector) => document.querySelector(selector);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : String(child ?? ''));
  return node;
};
const time = (value) => new Date(value).toISOString().slice(11, 23);

async function renderItems() {
  const items = await api('items');
  $('#items tbody').replaceChildren(
    ...items.map((i) =>
      el(
        'tr',
        { 'data-item': i.itemId },
        el('td', {}, i.itemId),
        el('td', {}, i.name ?? ''),
        el('td', { class: 'n' }, i.total),
        el('td', { class: 'n available' }, i.available),
        el('td', { class: 'n reserved' }, i.reserved),
        el('td', { class: 'n confirmed' }, i.confirmed),
      ),
    ),
  );
}

async function renderBookings() {
  const byState = await api('bookings');
  const states = Object.keys(byState).sort();
  $('#bookings').replaceChildren(
    ...(states.length === 0 ? [el('p', { class: 'muted' }, 'No bookings yet.')] : []),
    ...states.map((state) =>
      el(
        'div',
        { class: 'state', 'data-state': state },
        el('h3', {}, el('span', { class: `badge ${state}` }, state), ` ${byState[state].length}`),
        el(
          'ul',
          {},
          byState[state].map((b) =>
            el(
              'li',
              {},
              el(
                'a',
                { 'data-booking': b.bookingId, onclick: () => follow('booking', b.bookingId) },
                b.bookingId,
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

async function renderQueues() {
  const queues = (await api('queues')).filter((q) => q.deadLetterFor);
  $('#dlqs tbody').replaceChildren(
    ...queues.map((q) =>
      el(
        'tr',
        { 'data-queue': q.name },
        el(
          'td',
          {},
          q.name,
          q.messages?.length
            ? el('div', { class: 'muted' }, q.messages.map((m) => m.body.slice(0, 80)).join(' · '))
            : '',
        ),
        el('td', { class: 'n count' }, q.visible + q.inFlight + q.delayed),
        el('td', {}, `${q.deadLetterFor.kind === 'sqs' ? 'queue' : 'function'} ${q.deadLetterFor.name}`),
        el(
          'td',
          {},
          el(
            'button',
            {
              class: 'redrive',
              'data-queue': q.name,
              ...(q.visible === 0 ? { disabled: '' } : {}),
              onclick: async (e) => {
                e.target.disabled = true;
                const result = await api(`queues/${encodeURIComponent(q.name)}/redrive`, { method: 'POST' });
                $('#dlq-result').textContent =
                  `moved ${result.moved} message(s) from ${result.from} to ${result.to}`;
                await renderQueues();
              },
            },
            'Redrive',
          ),
        ),
      ),
    ),
  );
}

let followed;
async function follow(kind, id) {
  followed = { kind, id };
  $('#follow-kind').value = kind;
  $('#follow-id').value = id;
  location.hash = `${kind}=${encodeURIComponent(id)}`;
  await renderDetail();
}

async function renderDetail() {
  if (!followed) return;
  const { kind, id } = followed;
  const data =
    kind === 'booking'
      ? await api(`bookings/${encodeURIComponent(id)}`)
      : await api(`trail?correlationId=${encodeURIComponent(id)}`);
  const r = data.reservation;
  $('#detail').replaceChildren(
    el(
      'div',
      { id: 'timeline-head', 'data-followed': id },
      kind === 'booking'
        ? r
          ? el(
              'p',
              {},
              'Booking ',
              el('code', {}, id),
              ' ',
              el('span', { class: `badge ${r.status}`, id: 'booking-status' }, r.status),
              ' ',
              JSON.stringify(r.lines ?? r.items ?? r.itemId ?? ''),
            )
          : el('p', {}, 'Booking ', el('code', {}, id), ' has no reservation row.')
        : el('p', {}, 'Correlation id ', el('code', {}, id)),
      data.correlationIds?.length
        ? el(
            'p',
            { class: 'muted' },
            'correlation ids: ',
            data.correlationIds.map((c) => el('a', { onclick: () => follow('correlation', c) }, `${c} `)),
          )
        : '',
    ),
    el(
      'ol',
      { class: 'timeline', id: 'timeline' },
      data.timeline.map((entry) =>
        entry.kind === 'event'
          ? el(
              'li',
              { class: 'event', 'data-detail-type': entry.event['detail-type'] },
              `${time(entry.at)} event `,
              el('strong', {}, entry.event['detail-type']),
              ` from ${entry.event.source} → ${entry.event.matches.join(', ') || 'no rule'}`,
            )
          : el(
              'li',
              {
                class: `invocation ${entry.invocation.status}`,
                'data-function': entry.invocation.functionName,
              },
              `${time(entry.at)} invoke `,
              el('strong', {}, entry.invocation.functionName),
              ` by ${entry.invocation.trigger} `,
              el('span', { class: `badge ${entry.invocation.status}` }, entry.invocation.status),
              ` ${entry.invocation.durationMs ?? '…'} ms${entry.invocation.coldStart ? ' (cold start)' : ''}`,
              entry.invocation.error
                ? el('div', {}, `${entry.invocation.error.type}: ${entry.invocation.error.message}`)
                : '',
            ),
      ),
    ),
    el('h3', {}, `Log lines (${data.logs.length})`),
    el(
      'pre',
      { class: 'logs', id: 'logs' },
      data.logs.map((l) => `${time(l.timestamp)} ${l.functionName}  ${l.message}\n`).join(''),
    ),
  );
}

async function refresh() {
  try {
    await Promise.all([renderItems(), renderBookings(), renderQueues(), renderDetail()]);
    $('#status').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    $('#status').textContent = `refresh failed: ${error.message}`;
  }
}

$('#follow').addEventListener('submit', (e) => {
  e.preventDefault();
  const id = $('#follow-id').value.trim();
  if (id) void follow($('#follow-kind').value, id);
});
const fromHash = /^#(booking|correlation)=(.+)$/.exec(location.hash);
if (fromHash) followed = { kind: fromHash[1], id: decodeURIComponent(fromHash[2]) };
await refresh();
setInterval(refresh, 2000);
