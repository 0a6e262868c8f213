/*
 * Token Factory console. Plain JavaScript, no build step: every figure comes from the public APIs, called with the
 * signed-in API key (kept in this tab's session storage only). DOM is built with el(), never from HTML strings, so
 * names, outputs and error messages are always shown as text.
 */
'use strict';

const KEY = 'tf.console.key';
/** A sign-in through the identity provider under way: PKCE verifier, state, where to exchange the code. */
const SSO = 'tf.console.sso';
const REFRESH_MS = 5000;
const state = { key: null, me: null, page: 'factory', timer: null, charts: [], departments: [] };

// ---------- small helpers ----------

function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
        if (value === undefined || value === null || value === false) continue;
        if (name.startsWith('on')) node.addEventListener(name.substring(2), value);
        else if (name === 'class') node.className = value;
        else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
        if (child === undefined || child === null || child === false) continue;
        node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
}

const $ = (selector) => document.querySelector(selector);
const isAdmin = () => state.me && state.me.scopes.includes('admin');
/** Whether the signed-in key holds a scope ('admin' holds them all): the console shows only what it may do. */
const holds = (scope) => state.me && (state.me.scopes.includes('admin') || state.me.scopes.includes(scope));
/** The scopes a page needs, any one of them (none: every key). */
const PAGE_SCOPES = { departments: ['billing:read', 'billing:admin'], agents: ['agents:read'], usage: ['usage:read'],
    statements: ['billing:read', 'billing:admin'], webhooks: ['billing:read', 'billing:admin'], keys: ['admin'],
    reconciliation: ['admin'], 'dead-letters': ['admin'], audit: ['admin'], capacity: ['admin'] };
const mayShow = (page) => !PAGE_SCOPES[page] || PAGE_SCOPES[page].some(holds);
const number = (value, digits = 0) => value === undefined || value === null || Number.isNaN(Number(value)) ? '–'
    : Number(value).toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
/** A measurement: small values keep two significant digits (a lightly used node averages 0.06 W, not 0). */
const measure = (value) => {
    if (value === undefined || value === null || Number.isNaN(Number(value))) return '–';
    const amount = Number(value);
    return amount !== 0 && Math.abs(amount) < 1 ? String(Number(amount.toPrecision(2))) : number(amount, 1);
};
/** Money as billing gives it; amounts under a cent (a single agent run) keep their significant digits. */
const money = (value, currency) => {
    if (value === undefined || value === null) return '–';
    const amount = Number(value);
    const shown = amount !== 0 && Math.abs(amount) < 0.01 ? amount.toPrecision(3) : amount.toFixed(2);
    return `${shown} ${currency || ''}`.trim();
};
const short = (id) => id ? String(id).substring(0, 8) : '–';
const iso = (date) => date.toISOString();
/** A date as a datetime-local field holds it: local time, to the minute. */
const localMinute = (date) => new Date(date.getTime() - date.getTimezoneOffset() * 60e3).toISOString().substring(0, 16);
const badge = (text) => el('span', { class: `badge ${text}`, 'data-testid': 'badge' }, text);
/** How a department is billed: a showback department sees its statements, it does not pay them. */
const billingModeBadge = (mode) => el('span', { class: `badge ${mode || 'CHARGEBACK'}`, 'data-testid': 'billing-mode',
    title: mode === 'SHOWBACK' ? 'Statements show use and what it would cost, marked not payable; budgets still apply.'
        : 'Statements are invoices: the journal debits the cost centre.' }, mode === 'SHOWBACK' ? 'Showback' : 'Chargeback');

/** Grams of CO2e as kilograms ("0.42 kg"), '–' when not kept. */
const kilograms = (grams) => grams === undefined || grams === null ? '–' : `${measure(Number(grams) / 1000)} kg`;
/** gCO2e per 1,000 tokens, or a dash that says why there is none. */
const carbonRate = (row) => row.gramsCo2ePerThousandTokens === undefined || row.gramsCo2ePerThousandTokens === null
    ? el('span', { class: 'muted', title: 'No carbon intensity set for these tokens\' nodes (or they have no energy figure).' }, '–')
    : measure(row.gramsCo2ePerThousandTokens);
/** Emissions are the energy's times the grid's intensity: estimated energy gives estimated emissions. */
const CARBON_HELP = 'Location-based: the energy times the grid carbon intensity set for each node; '
    + 'where the energy is estimated, so are its emissions.';

/** How a badge names where a figure's energy came from: the words statements use, shortened ("measured (DCGM)" there). */
const SOURCE_LABELS = {
    NVML: 'measured · NVML', DCGM: 'measured · DCGM', DCGM_POWER: 'integrated power · DCGM', KEPLER: 'measured · Kepler',
    RAPL: 'measured · RAPL', REPORTED: 'reported by the engine', ESTIMATED: 'estimated', NONE: 'no energy measured',
};
const SOURCE_HELP = {
    ESTIMATED: 'Modelled from this process\'s CPU time: an estimate, not a measurement.',
    NONE: 'These tokens have no energy figure: they are left out of every tokens-per-joule ratio.',
    DCGM_POWER: 'The exporter has no energy counter: its power gauge is integrated over time.',
};

/** Badges for a figure's source: {@code energySource} of a row grouped by it, or the mix of {@code energySources}. */
function sourceBadges(row) {
    const sources = row.energySource ? [row.energySource] : Object.keys(row.energySources || {});
    if (sources.length === 0) return el('span', { class: 'muted' }, '–');
    return el('span', { class: 'sources' }, sources.map((source) => el('span', {
        class: `source ${source}`, 'data-testid': 'energy-source', 'data-source': source,
        title: SOURCE_HELP[source] || 'Read from the node\'s own energy counters.' }, SOURCE_LABELS[source] || source)));
}

/** A warning under figures that are partly estimated or partly without energy, never silent. */
function sourceWarning(row) {
    const mix = row.energySources || (row.energySource ? { [row.energySource]: {} } : {});
    const notes = [];
    if (mix.ESTIMATED) notes.push('Part of these joules are estimated from CPU time, not measured.');
    if (row.tokensWithoutEnergy > 0) notes.push(`${number(row.tokensWithoutEnergy)} tokens have no energy figure `
        + 'and are left out of tokens per joule.');
    return notes.length === 0 ? null : el('p', { class: 'warning', 'data-testid': 'energy-warning' }, notes.join(' '));
}

function showError(message) {
    const box = $('#error');
    box.textContent = message;
    box.hidden = !message;
}

function showNotice(message) {
    const box = $('#notice');
    box.textContent = message;
    box.hidden = !message;
    if (message) setTimeout(() => { if (box.textContent === message) box.hidden = true; }, 8000);
}

/** Calls an API with the signed-in key; a refusal becomes an Error carrying the problem's readable detail. */
async function api(path, { method = 'GET', body, raw = false } = {}) {
    const response = await fetch(path, {
        method,
        headers: Object.assign({ Authorization: `Bearer ${state.key}` },
            body === undefined ? {} : { 'Content-Type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
        let detail = `${response.status} ${response.statusText}`;
        try {
            const problem = await response.json();
            detail = problem.detail || (problem.error && problem.error.message) || problem.title || detail;
        } catch (ignored) { /* not JSON: the status says enough */ }
        const error = new Error(`${method} ${path.split('?')[0]}: ${detail}`);
        error.status = response.status;
        throw error;
    }
    if (raw) return response;
    return response.status === 204 ? null : response.json();
}

/** Downloads a file an API serves (with the key, so not a plain link). */
async function download(path, filename) {
    const blob = await (await api(path, { raw: true })).blob();
    const link = el('a', { href: URL.createObjectURL(blob), download: filename });
    document.body.append(link);
    link.click();
    link.remove();
    showNotice(`Downloaded ${filename}`);
}

/** Runs an action from a button; its error is shown, never swallowed. */
function action(work) {
    return async (event) => {
        if (event) event.preventDefault();
        showError('');
        try {
            await work(event);
        } catch (error) {
            showError(error.message);
        }
    };
}

function table(columns, rows, testId) {
    return el('div', { class: 'table-wrap' }, el('table', { 'data-testid': testId },
        el('thead', {}, el('tr', {}, columns.map((c) => el('th', { class: c.num ? 'num' : null }, c.label)))),
        el('tbody', {}, rows.length === 0
            ? el('tr', {}, el('td', { colspan: columns.length, class: 'muted' }, 'Nothing yet.'))
            : rows.map((row) => el('tr', {}, columns.map((c) => el('td', { class: c.num ? 'num' : null }, c.value(row))))))));
}

function chart(container, option) {
    if (!window.echarts) {
        container.replaceChildren(el('p', { class: 'muted' }, 'Charts are unavailable (ECharts did not load).'));
        return;
    }
    const existing = window.echarts.getInstanceByDom(container);
    const instance = existing || window.echarts.init(container);
    if (!existing) state.charts.push(instance);
    // no animation: a live page redraws every few seconds, and a screenshot must show the figures, not a transition
    instance.setOption(Object.assign({ animation: false }, option), true);
}

window.addEventListener('resize', () => state.charts.forEach((c) => c.resize()));

// ---------- cost tags: team, project and the keys an administrator allows ----------

/** The tags always allowed, shown first and given their own fields. */
const TAG_FIELDS = ['team', 'project'];

/** Tags in the order people read them: team, project, then the rest by key. */
const tagEntries = (tags) => Object.entries(tags || {}).sort(([a], [b]) => {
    const rank = (key) => TAG_FIELDS.includes(key) ? TAG_FIELDS.indexOf(key) : TAG_FIELDS.length;
    return rank(a) - rank(b) || a.localeCompare(b);
});

/** A key's or agent's cost tags as text: "team: search · project: rag · costcode: CC-7"; a dash for none. */
function tagsShown(tags, testId = 'tags') {
    const entries = tagEntries(tags);
    return entries.length === 0 ? el('span', { class: 'muted', 'data-testid': testId }, '–')
        : el('span', { class: 'tags', 'data-testid': testId }, entries.map(([key, value]) => `${key}: ${value}`).join(' · '));
}

/** The tags other than team and project as the "other tags" field holds them: "costcode=CC-7, site=fra". */
const otherTagsText = (tags) => tagEntries(tags).filter(([key]) => !TAG_FIELDS.includes(key))
    .map(([key, value]) => `${key}=${value}`).join(', ');

/**
 * A form's tag fields: team, project and the others as key=value pairs, comma-separated (a comma inside a value is
 * kept unless a key= follows it). The service checks the rules and the allowed keys; its 422 names the tag.
 */
function tagInputs(tags, allowedHint) {
    const t = tags || {};
    return [
        el('label', {}, 'Team', el('input', { name: 'team', value: t.team, maxlength: 100, placeholder: 'none' })),
        el('label', {}, 'Project', el('input', { name: 'project', value: t.project, maxlength: 100, placeholder: 'none' })),
        el('label', { title: allowedHint || 'Keys other than team and project need an administrator to allow them.' },
            'Other tags', el('input', { name: 'otherTags', value: otherTagsText(t), size: 28, maxlength: 1200,
                placeholder: 'costcode=CC-7, site=fra' })),
    ];
}

/** The tags a form's tag fields hold, as the APIs take them; an empty field is no tag. */
function tagsFrom(data) {
    const tags = {};
    for (const field of TAG_FIELDS) {
        const value = String(data.get(field) || '').trim();
        if (value) tags[field] = value;
    }
    const others = String(data.get('otherTags') || '').trim();
    if (others) {
        for (const pair of others.split(/,(?=\s*[A-Za-z][\w-]*\s*=)/)) {
            const at = pair.indexOf('=');
            if (at < 1) throw new Error(`Other tags: "${pair.trim()}" is not key=value`);
            const key = pair.substring(0, at).trim();
            if (key in tags) throw new Error(`Tag ${key} is given twice`);
            tags[key] = pair.substring(at + 1).trim();
        }
    }
    return tags;
}

/** What the "other tags" field may hold, from GET /api/tags (kept in state.tagRules by the pages that set tags). */
function allowedTagsHint() {
    const rules = state.tagRules;
    if (!rules) return null;
    return rules.allowedKeys.length === 0 ? 'No keys beyond team and project are allowed yet: an administrator allows them.'
        : `Keys allowed beyond team and project: ${rules.allowedKeys.join(', ')}.`;
}

// ---------- sign-in and navigation ----------

async function signIn(key) {
    state.key = key;
    try {
        state.me = await api('/api/me');
    } catch (error) {
        state.key = null;
        sessionStorage.removeItem(KEY);
        throw new Error(error.status === 401 ? 'That key (or sign-in) is unknown, revoked or expired.' : error.message);
    }
    sessionStorage.setItem(KEY, key);
    $('#sign-in').hidden = true;
    $('#view').hidden = false;
    $('#nav').hidden = false;
    $('#sign-out').hidden = false;
    document.querySelectorAll('#nav button[data-page]').forEach((b) => { b.hidden = !mayShow(b.dataset.page); });
    $('#who').textContent = isAdmin() ? `${state.me.name} · administrator`
        : state.me.departmentId ? `${state.me.name} · department ${short(state.me.departmentId)}`
            : `${state.me.name} · ${state.me.scopes.join(', ') || 'no access'}`;
    $('#who').setAttribute('data-testid', 'who');
    if (isAdmin()) {
        state.departments = await api('/api/billing/departments');
    } else if (holds('billing:read') && state.me.departmentId) {
        state.departments = [await api(`/api/billing/departments/${state.me.departmentId}`)];
    } else {
        // a key that may not read billing still knows its own department
        state.departments = state.me.departmentId ? [{ id: state.me.departmentId, name: short(state.me.departmentId) }] : [];
    }
    show(location.hash.substring(1) || 'factory');
}

function signOut() {
    sessionStorage.removeItem(KEY);
    state.key = null;
    state.me = null;
    clearInterval(state.timer);
    location.hash = '';
    location.reload();
}

function departmentName(id) {
    const department = state.departments.find((d) => d.id === id);
    return department ? department.name : short(id);
}

function show(page) {
    if (!PAGES[page] || !mayShow(page)) page = 'factory';
    state.page = page;
    location.hash = page;
    clearInterval(state.timer);
    state.charts.forEach((c) => c.dispose());
    state.charts = [];
    document.querySelectorAll('#nav button').forEach((b) => b.classList.toggle('active', b.dataset.page === page));
    showError('');
    showNotice('');
    const view = $('#view');
    view.replaceChildren();
    view.setAttribute('data-page', page);
    PAGES[page](view).catch((error) => showError(error.message));
}

// ---------- Factory: live numbers and charts ----------

async function factoryPage(view) {
    const range = el('select', { 'data-testid': 'range' },
        el('option', { value: 'hour' }, 'Last hour'), el('option', { value: 'day' }, 'Last day'));
    const tiles = el('div', { class: 'tiles' });
    const tokensChart = el('div', { class: 'chart', 'data-testid': 'tokens-chart' });
    const efficiencyChart = el('div', { class: 'chart', 'data-testid': 'efficiency-chart' });
    const carbonChart = el('div', { class: 'chart', 'data-testid': 'carbon-chart' });
    const carbonNote = el('p', { class: 'muted', 'data-testid': 'carbon-note' });
    const byModel = el('div');
    const warning = el('div');
    const nodes = el('div');
    const power = isAdmin() ? powerSection() : null;
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Factory'),
        el('p', { class: 'muted' }, isAdmin() ? 'The whole factory, live (refreshed every 5 s).'
            : 'Your department, live (refreshed every 5 s).'), range),
        tiles, warning, el('div', { class: 'charts' }, el('div', { class: 'card' }, el('h2', {}, 'Tokens'), tokensChart),
            el('div', { class: 'card' }, el('h2', {}, 'Tokens per joule by model'), efficiencyChart),
            el('div', { class: 'card' }, el('h2', {}, 'gCO2e per 1,000 tokens by model'), carbonChart, carbonNote)),
        el('div', { class: 'card' }, el('h2', {}, 'Per model and node'), byModel),
        isAdmin() ? el('div', { class: 'card' }, el('h2', {}, 'Nodes and their meters'), nodes) : null,
        power ? power.card : null);

    async function refresh() {
        const to = new Date();
        const hour = range.value === 'hour';
        const from = new Date(to.getTime() - (hour ? 3600e3 : 86400e3));
        const span = `from=${iso(from)}&to=${iso(to)}`;
        const [usage, efficiency, perModel, cost, nodeList] = await Promise.all([
            api(`/api/metering/usage?${span}&granularity=${hour ? 'minute' : 'hour'}`),
            api(`/api/metering/efficiency?${span}`),
            api(`/api/metering/efficiency?${span}&groupBy=model,node`),
            api(`/api/billing/cost-per-token?${span}`).catch(() => ({ rows: [] })),
            isAdmin() ? api('/api/inference/nodes').catch(() => []) : Promise.resolve([]),
            power ? power.refresh() : null,
        ]);
        const recent = usage.rows.filter((r) => new Date(r.start) >= new Date(to.getTime() - 5 * 60e3));
        const tokensPerSecond = recent.reduce((sum, r) => sum + r.totalTokens, 0) / 300;
        const all = efficiency.rows[0] || {};
        const costRow = cost.rows[0] || {};
        const idleShare = all.allInJoules > 0 ? 100 * all.idleJoules / all.allInJoules : null;
        tiles.replaceChildren(
            tile('Tokens per second (last 5 min)', number(tokensPerSecond, 1), 'tokens-per-second'),
            tile('Tokens in range', number(usage.totals.totalTokens), 'tokens-total'),
            tile('Tokens per joule', number(all.tokensPerJoule, 3), 'tokens-per-joule', sourceBadges(all)),
            tile('Average watts', measure(all.averageWatts), 'average-watts', sourceBadges(all)),
            tile('Cost per 1M tokens', costRow.costPerMillionTokens === undefined ? '–'
                : money(costRow.costPerMillionTokens, cost.currency), 'cost-per-million', sourceBadges(costRow)),
            tile('Fully loaded, per 1M tokens', costRow.fullyLoadedCostPerMillionTokens === undefined ? '–'
                : money(costRow.fullyLoadedCostPerMillionTokens, cost.currency), 'fully-loaded-cost-per-million',
                el('span', { class: 'muted' }, 'with idle energy and idle accelerator time')),
            tile('Idle share of energy', idleShare === null ? '–' : `${number(idleShare, 1)} %`, 'idle-share'),
            tile('Tokens without energy', number(all.tokensWithoutEnergy || 0), 'tokens-without-energy'),
            carbonTile(all));
        warning.replaceChildren(sourceWarning(all) || '');
        if (isAdmin()) {
            nodes.replaceChildren(table([
                { label: 'Node', value: (n) => n.node }, { label: 'Class', value: (n) => n.nodeClass || 'default' },
                { label: 'Metered', value: (n) => n.device },
                { label: 'Energy', value: (n) => sourceBadges({ energySource: n.source }) },
                { label: 'Declared', value: (n) => n.declaredSource },
                { label: 'Meter owner', value: (n) => n.meterOwner ? 'this replica' : 'another replica' },
                { label: 'Note', value: (n) => n.fallback || n.problem || '' },
            ], nodeList, 'nodes-table'));
        }
        chart(tokensChart, {
            tooltip: { trigger: 'axis' }, grid: { left: 50, right: 10, top: 20, bottom: 30 },
            xAxis: { type: 'time', min: from.getTime(), max: to.getTime() },
            yAxis: { type: 'value', name: hour ? 'per minute' : 'per hour' },
            series: [{ type: 'line', name: 'tokens', showSymbol: usage.rows.length < 30, areaStyle: {},
                data: usage.rows.map((r) => [r.start, r.totalTokens]) }],
        });
        chart(efficiencyChart, {
            tooltip: {}, grid: { left: 50, right: 10, top: 20, bottom: 60 },
            xAxis: { type: 'category', data: perModel.rows.map((r) => `${r.model} @ ${r.node}`), axisLabel: { rotate: 20 } },
            yAxis: { type: 'value', name: 'tokens/J' },
            series: [{ type: 'bar', data: perModel.rows.map((r) => Number(r.tokensPerJoule)) }],
        });
        const covered = perModel.rows.filter((r) => r.gramsCo2ePerThousandTokens !== null
            && r.gramsCo2ePerThousandTokens !== undefined);
        const uncovered = perModel.rows.filter((r) => !covered.includes(r)).map((r) => `${r.model} @ ${r.node}`);
        chart(carbonChart, {
            tooltip: {}, grid: { left: 50, right: 10, top: 20, bottom: 60 },
            xAxis: { type: 'category', data: covered.map((r) => `${r.model} @ ${r.node}`), axisLabel: { rotate: 20 } },
            yAxis: { type: 'value', name: 'gCO2e/1k' },
            series: [{ type: 'bar', data: covered.map((r) => Number(r.gramsCo2ePerThousandTokens)) }],
        });
        carbonNote.replaceChildren(`${CARBON_HELP}${uncovered.length === 0 ? ''
            : ` No carbon intensity set (or no energy figure) for: ${uncovered.join(', ')}.`}`);
        byModel.replaceChildren(table([
            { label: 'Model', value: (r) => r.model }, { label: 'Node', value: (r) => r.node },
            { label: 'Requests', num: true, value: (r) => number(r.requests) },
            { label: 'Tokens', num: true, value: (r) => number(r.tokens) },
            { label: 'Tokens/J', num: true, value: (r) => number(r.tokensPerJoule, 3) },
            { label: 'Tokens/J all-in', num: true, value: (r) => number(r.tokensPerJouleAllIn, 3) },
            { label: 'Energy', value: (r) => sourceBadges(r) },
            { label: 'Watts', num: true, value: (r) => measure(r.averageWatts) },
            { label: 'Tokens/s', num: true, value: (r) => number(r.tokensPerSecond, 2) },
            { label: 'gCO2e/1k tokens', num: true, value: carbonRate },
        ], perModel.rows, 'models-table'));
    }

    range.addEventListener('change', action(refresh));
    await refresh();
    state.timer = setInterval(() => refresh().catch((error) => showError(error.message)), REFRESH_MS);
}

// ---------- Power (administrators): draw against the caps of the factory, its sites and its nodes ----------

const POWER_SCOPES = ['factory', 'site', 'node'];
/** What a capped scope is doing about its draw, in words. */
const POWER_STATES = { NORMAL: 'normal', DEFERRING_BATCH: 'deferring batch work', QUEUEING: 'queueing interactive work' };
const POWER_STATE_HELP = {
    NORMAL: 'Draw is under the cap: every request runs.',
    DEFERRING_BATCH: 'Draw is in the cap\'s batch reserve: batch work waits, interactive work runs.',
    QUEUEING: 'Draw is at the cap: interactive work queues too.',
};
const powerState = (capState) => el('span', { class: `badge ${capState}`, 'data-testid': 'power-state',
    'data-state': capState, title: POWER_STATE_HELP[capState] }, POWER_STATES[capState] || capState);
const powerName = (row) => row.scope === 'factory' ? el('span', { class: 'muted' }, 'whole factory') : row.name;

/** Each scope's measured draw beside its cap (if it has one): the factory first, then its sites, then its nodes. */
function powerRows(power) {
    const rows = new Map();
    const key = (row) => `${row.scope}/${row.name || ''}`;
    for (const d of power.draw || []) rows.set(key(d), { scope: d.scope, name: d.name, drawWatts: d.drawWatts, cap: null });
    for (const cap of power.caps || []) {
        const row = rows.get(key(cap));
        if (row) Object.assign(row, { cap, drawWatts: row.drawWatts ?? cap.drawWatts });
        else rows.set(key(cap), { scope: cap.scope, name: cap.name, drawWatts: cap.drawWatts, cap });
    }
    return [...rows.values()].sort((a, b) => POWER_SCOPES.indexOf(a.scope) - POWER_SCOPES.indexOf(b.scope)
        || String(a.name || '').localeCompare(String(b.name || '')));
}

/** The share of its cap a scope draws: a meter (past the batch reserve it turns amber) and the percentage. */
function capShare(row, batchReserve) {
    if (!row.cap || row.drawWatts === null || row.drawWatts === undefined || !(row.cap.watts > 0)) {
        return el('span', { class: 'muted' }, '—');
    }
    const share = row.drawWatts / row.cap.watts;
    const shown = `${number(share * 100, 0)} %`;
    return el('span', { class: 'cap-share', 'data-testid': 'cap-share' },
        el('meter', { class: 'power', min: 0, max: row.cap.watts, value: row.drawWatts, optimum: 0,
            low: batchReserve ? row.cap.watts * (1 - batchReserve) : undefined, high: row.cap.watts,
            'aria-label': `${row.name || 'whole factory'}: ${shown} of its cap` }), ` ${shown}`);
}

/**
 * The Factory page's Power card: the draw and caps table (redrawn with the page) and a form that sets or removes one
 * cap (PUT or DELETE /api/inference/power-caps/{factory | site/{name} | node/{name}}), kept as typed across redraws.
 */
function powerSection() {
    const list = el('div');
    const note = el('p', { class: 'muted' });
    const targets = el('datalist', { id: 'power-targets' });
    let last = { draw: [], caps: [] };
    const scope = el('select', { name: 'scope', 'data-testid': 'power-cap-scope' },
        POWER_SCOPES.map((s) => el('option', { value: s }, s === 'factory' ? 'whole factory' : s)));
    const name = el('input', { name: 'name', list: 'power-targets', maxlength: 200, placeholder: 'none for the factory',
        disabled: true, 'data-testid': 'power-cap-name' });
    const form = el('form', { 'data-testid': 'power-cap-form' },
        el('label', {}, 'Scope', scope),
        el('label', {}, 'Site or node', name),
        el('label', {}, 'Cap (W)', el('input', { name: 'watts', type: 'number', min: 1, step: 'any', required: true,
            'data-testid': 'power-cap-watts' })),
        el('button', { type: 'submit', 'data-testid': 'set-power-cap' }, 'Set cap'),
        el('button', { type: 'button', class: 'danger', 'data-testid': 'remove-power-cap', onclick: action(async () => {
            const { path, label } = capTarget();
            await api(path, { method: 'DELETE' });
            showNotice(`Power cap of ${label} removed`);
            await refresh();
        }) }, 'Remove cap'),
        targets);

    /** The names the chosen scope can take, from the draw list (and the caps already set). */
    function offerTargets() {
        const factory = scope.value === 'factory';
        name.disabled = factory;
        if (factory) name.value = '';
        const names = new Set([...last.draw, ...last.caps].filter((r) => r.scope === scope.value && r.name).map((r) => r.name));
        targets.replaceChildren(...[...names].sort().map((n) => el('option', { value: n })));
    }

    function capTarget() {
        if (scope.value === 'factory') return { path: '/api/inference/power-caps/factory', label: 'the whole factory' };
        const target = name.value.trim();
        if (!target) throw new Error(`Name the ${scope.value} to cap`);
        return { path: `/api/inference/power-caps/${scope.value}/${encodeURIComponent(target)}`,
            label: `${scope.value} ${target}` };
    }

    scope.addEventListener('change', offerTargets);
    form.addEventListener('submit', action(async () => {
        const { path, label } = capTarget();
        const cap = await api(path, { method: 'PUT', body: { watts: Number(new FormData(form).get('watts')) } });
        showNotice(`Power cap of ${label} set to ${number(cap.watts, 1)} W`);
        await refresh();
    }));

    async function refresh() {
        const power = await api('/api/inference/power-caps').catch((error) => ({ error }));
        if (power.error) {
            list.replaceChildren(el('p', { class: 'warning' }, `Did not answer: inference-service (${power.error.message})`));
            return;
        }
        last = { draw: power.draw || [], caps: power.caps || [] };
        const reserve = power.batchReserve;
        note.replaceChildren('Measured draw against each cap. ', reserve > 0
            ? `The top ${number(reserve * 100, 1)} % of a cap (its batch reserve) is kept for interactive work: past it `
                + 'batch work is deferred; at the cap interactive work queues too.'
            : 'At a cap, work queues.');
        list.replaceChildren(table([
            { label: 'Scope', value: (r) => r.scope },
            { label: 'Name', value: powerName },
            { label: 'Draw (W)', num: true, value: (r) => r.drawWatts === null || r.drawWatts === undefined ? '—' : measure(r.drawWatts) },
            { label: 'Cap (W)', num: true, value: (r) => r.cap
                ? el('span', { title: `set ${new Date(r.cap.updatedAt).toLocaleString()}` }, number(r.cap.watts, 1))
                : el('span', { class: 'muted' }, 'no cap') },
            { label: 'Of cap', value: (r) => capShare(r, reserve) },
            { label: 'State', value: (r) => r.cap ? powerState(r.cap.state) : el('span', { class: 'muted' }, '—') },
        ], powerRows(power), 'power-table'));
        offerTargets();
    }

    const card = el('div', { class: 'card', 'data-testid': 'power' }, el('h2', {}, 'Power'), note, list,
        el('h3', {}, 'Set or remove a cap'), form);
    return { card, refresh };
}

function tile(label, value, testId, note) {
    return el('div', { class: 'tile' }, el('div', { class: 'label' }, label),
        el('div', { class: 'value', 'data-testid': testId }, value), note ? el('div', { class: 'note' }, note) : null);
}

/** The factory's gCO2e per 1,000 tokens; used tokens with no intensity over them say so instead of showing 0. */
function carbonTile(all) {
    const rate = all.gramsCo2ePerThousandTokens;
    const estimated = Boolean((all.energySources || {}).ESTIMATED);
    const note = rate !== undefined && rate !== null
        ? el('span', { class: 'muted', title: CARBON_HELP }, `${kilograms(all.emissionsGramsCo2e)} CO2e in range · location-based`,
            estimated ? ' · includes estimated energy' : '')
        : all.tokens > 0 ? el('span', { class: 'muted', 'data-testid': 'no-carbon-intensity' },
            all.tokensWithoutEnergy >= all.tokens ? 'no energy figure' : 'no carbon intensity set') : null;
    return tile('gCO2e per 1,000 tokens', rate === undefined || rate === null ? '–' : measure(rate), 'carbon-per-thousand', note);
}

// ---------- Capacity (administrators): which nodes and deployments earn their power ----------

/** A figure the service could not give (no energy, no price yet) shows as a dash. */
const orDash = (value, format) => value === undefined || value === null || Number.isNaN(Number(value))
    ? el('span', { class: 'muted' }, '—') : format(Number(value));
const percent = (value) => `${number(value * 100, 1)} %`;
const oneDecimal = (value) => value.toLocaleString('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const significant = (value) => value.toLocaleString('en', { maximumSignificantDigits: 3 });
/** Cost per token as people compare it: per million tokens ("EUR 12.30 / 1M tok"); tiny amounts keep their digits. */
const perMillionTokens = (value, currency) => {
    const amount = value * 1e6;
    const shown = amount !== 0 && Math.abs(amount) < 0.01 ? amount.toPrecision(3) : amount.toFixed(2);
    return `${currency ? `${currency} ` : ''}${shown} / 1M tok`;
};
const circuit = (breaker) => el('span', { class: `badge ${breaker}`, 'data-testid': 'circuit', 'data-circuit': breaker,
    title: breaker === 'OPEN' ? 'Failing: no requests are sent to it until it recovers.'
        : breaker === 'HALF_OPEN' ? 'Trying again with a few requests.' : 'Taking requests.' }, String(breaker).replace('_', ' '));

async function capacityPage(view) {
    const range = el('select', { name: 'window', 'data-testid': 'capacity-window' },
        el('option', { value: '1h' }, 'Last hour'), el('option', { value: '1d' }, 'Last day'));
    const form = el('form', { 'data-testid': 'capacity-form' }, el('label', {}, 'Window', range));
    const span = el('p', { class: 'muted', 'data-testid': 'capacity-span' });
    const nodes = el('div');
    const deployments = el('div');
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Capacity'),
        el('p', { class: 'muted' }, 'Which nodes earn their power: tokens per joule and cost per token per node and '
            + 'deployment; live in-flight and queue depth (refreshed every 5 s).'), form, span),
        el('div', { class: 'card' }, el('h2', {}, 'Nodes'), nodes),
        el('div', { class: 'card' }, el('h2', {}, 'Deployments'), deployments));

    async function refresh() {
        const capacity = await api(`/api/inference/capacity?window=${range.value}`);
        const cost = (r) => orDash(r.costPerToken, (value) => perMillionTokens(value, capacity.currency));
        // what both tables show for the window: load, output, energy, and what a token cost
        const figures = [
            { label: 'Mean queue', num: true, value: (r) => orDash(r.meanQueueDepth, (value) => number(value, 2)) },
            { label: 'Busy', num: true, value: (r) => orDash(r.busyShare, percent) },
            { label: 'Requests', num: true, value: (r) => orDash(r.requests, number) },
            { label: 'Completion tokens', num: true, value: (r) => orDash(r.completionTokens, number) },
            { label: 'Tokens/s', num: true, value: (r) => orDash(r.tokensPerSecond, oneDecimal) },
            { label: 'Joules', num: true, value: (r) => orDash(r.joules, measure) },
            { label: 'Tokens/J', num: true, value: (r) => orDash(r.tokensPerJoule, significant) },
            { label: 'Cost / 1M tokens', num: true, value: cost },
        ];
        span.replaceChildren(`${new Date(capacity.from).toLocaleString()} – ${new Date(capacity.to).toLocaleString()}`,
            capacity.currency ? '' : ' · no prices set: cost per token is not known');
        nodes.replaceChildren(table([
            { label: 'Node', value: (n) => n.node },
            { label: 'Site', value: (n) => n.site || el('span', { class: 'muted' }, '—') },
            { label: 'Class', value: (n) => n.nodeClass || el('span', { class: 'muted' }, '—') },
            { label: 'Energy', value: (n) => n.energySource ? sourceBadges({ energySource: n.energySource })
                : el('span', { class: 'muted' }, '—') },
            { label: 'Draw (W)', num: true, value: (n) => orDash(n.drawWatts, measure) },
            { label: 'Cap (W)', num: true, value: (n) => orDash(n.capWatts, (value) => number(value, 1)) },
            { label: 'In flight', num: true, value: (n) => orDash(n.inFlight, number) },
            { label: 'Queue', num: true, value: (n) => orDash(n.queueDepth, number) },
            ...figures,
        ], capacity.nodes || [], 'capacity-nodes'));
        deployments.replaceChildren(table([
            { label: 'Model', value: (d) => d.model }, { label: 'Deployment', value: (d) => d.deployment },
            { label: 'Node', value: (d) => d.node }, { label: 'Strategy', value: (d) => d.strategy || '' },
            { label: 'Weight', num: true, value: (d) => orDash(d.weight, number) },
            { label: 'Priority', num: true, value: (d) => orDash(d.priority, number) },
            { label: 'Circuit', value: (d) => d.circuit ? circuit(d.circuit) : el('span', { class: 'muted' }, '—') },
            { label: 'In flight', num: true, value: (d) => orDash(d.inFlight, number) },
            { label: 'Queue', num: true, value: (d) => orDash(d.queueDepth, number) },
            { label: 'First token (ms)', num: true, value: (d) => orDash(d.timeToFirstTokenMs, number) },
            { label: 'Between tokens (ms)', num: true, value: (d) => orDash(d.interTokenMs, (value) => number(value, 1)) },
            ...figures,
        ], capacity.deployments || [], 'capacity-deployments'));
    }

    range.addEventListener('change', action(refresh));
    form.addEventListener('submit', action(refresh));
    await refresh();
    state.timer = setInterval(() => refresh().catch((error) => showError(error.message)), REFRESH_MS);
}

// ---------- Departments: spend against budget ----------

async function departmentsPage(view) {
    const spends = await Promise.all(state.departments.map((d) => api(`/api/billing/departments/${d.id}/spend`)
        .then((spend) => ({ department: d, spend }))));
    const budgetChart = el('div', { class: 'chart', 'data-testid': 'budget-chart' });
    const details = el('div');
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Departments'),
        el('p', { class: 'muted' }, 'This month\'s spend against the budget, with the forecast to the month\'s end.'),
        table([
            { label: 'Department', value: (r) => el('button', { onclick: action(() => departmentDetails(r.department, details)) }, r.department.name) },
            { label: 'Cost centre', value: (r) => r.department.costCentreCode },
            { label: 'Billing', value: (r) => billingModeBadge(r.department.billingMode) },
            { label: 'Status', value: (r) => badge(r.spend.state) },
            { label: 'Spend', num: true, value: (r) => money(r.spend.charge, r.spend.currency) },
            { label: 'Budget', num: true, value: (r) => r.spend.monthlyBudget === null ? 'none' : money(r.spend.monthlyBudget, r.spend.currency) },
            { label: 'Forecast', num: true, value: (r) => forecast(r.spend) },
        ], spends, 'departments-table')), el('div', { class: 'card' }, el('h2', {}, 'Spend and budget'), budgetChart), details,
        isAdmin() ? el('div', { class: 'card' }, el('h2', {}, 'New department'), departmentForm(null, () => show('departments'))) : null);
    chart(budgetChart, {
        tooltip: { trigger: 'axis' }, legend: {}, grid: { left: 60, right: 10, top: 30, bottom: 30 },
        xAxis: { type: 'category', data: spends.map((s) => s.department.name) }, yAxis: { type: 'value' },
        series: [
            { type: 'bar', name: 'spend', data: spends.map((s) => Number(s.spend.charge)) },
            { type: 'bar', name: 'forecast', data: spends.map((s) => Number(s.spend.forecast)) },
            { type: 'bar', name: 'budget', data: spends.map((s) => s.spend.monthlyBudget === null ? 0 : Number(s.spend.monthlyBudget)) },
        ],
    });
}

/**
 * The forecast, and under it its 90 % band and how it was made: "120.00 EUR" over "90 % band 110.00–131.00 ·
 * weekday-hour pattern of 4 weeks"; a run-rate has no band.
 */
function forecast(spend) {
    const method = spend.forecastMethod || '';
    const banded = spend.forecastLow !== undefined && spend.forecastLow !== null && method.startsWith('weekday-hour');
    return el('span', {}, money(spend.forecast, spend.currency),
        el('div', { class: 'muted band' }, banded
            ? `90 % band ${Number(spend.forecastLow).toFixed(2)}–${Number(spend.forecastHigh).toFixed(2)} · ${method}`
            : method));
}

async function departmentDetails(department, container) {
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const span = `from=${iso(monthStart)}&to=${iso(now)}&granularity=total&department=${department.id}`;
    const [models, agents, agentList, budgets] = await Promise.all([
        api(`/api/metering/usage?${span}&groupBy=model`), api(`/api/metering/usage?${span}&groupBy=agent`),
        api(`/api/agents?department=${department.id}`), api(`/api/gateway/budgets?departmentId=${department.id}`)]);
    const agentName = (id) => (agentList.find((a) => a.id === id) || {}).name || (id ? short(id) : 'people (no agent)');
    const top = (rows) => rows.sort((a, b) => b.totalTokens - a.totalTokens).slice(0, 5);
    container.replaceChildren(el('div', { class: 'card row' },
        el('div', {}, el('h2', {}, `${department.name}: top models this month`), table([
            { label: 'Model', value: (r) => r.model }, { label: 'Tokens', num: true, value: (r) => number(r.totalTokens) },
            { label: 'Joules', num: true, value: (r) => number(r.energyJoules, 1) },
            { label: 'Energy', value: (r) => sourceBadges(r) }], top(models.rows), 'top-models')),
        el('div', {}, el('h2', {}, 'Top agents'), table([
            { label: 'Agent', value: (r) => agentName(r.agent) }, { label: 'Tokens', num: true, value: (r) => number(r.totalTokens) },
            { label: 'Joules', num: true, value: (r) => number(r.energyJoules, 1) },
            { label: 'Energy', value: (r) => sourceBadges(r) }], top(agents.rows), 'top-agents'))),
        budgetsCard(department, budgets, agentList, () => departmentDetails(department, container)),
        isAdmin() ? el('div', { class: 'card' }, el('h2', {}, `Edit ${department.name}`),
            departmentForm(department, () => show('departments'))) : null);
}

/**
 * Creates a department, or edits one (a PUT replaces every field: those the form does not show are sent back as
 * they are). The billing mode decides whether its statements are invoices (chargeback) or shown only (showback).
 */
function departmentForm(department, saved) {
    const d = department || {};
    const form = el('form', { 'data-testid': department ? 'edit-department' : 'department-form' },
        el('label', {}, 'Name', el('input', { name: 'name', value: d.name, required: true, maxlength: 100 })),
        el('label', {}, 'Cost centre', el('input', { name: 'costCentreCode', value: d.costCentreCode, required: true, maxlength: 32 })),
        el('label', {}, 'Monthly budget', el('input', { name: 'monthlyBudget', type: 'number', min: 0, step: 'any',
            value: d.monthlyBudget, placeholder: 'none' })),
        el('label', {}, 'Billing', el('select', { name: 'billingMode', 'data-testid': 'billing-mode-select' },
            el('option', { value: 'CHARGEBACK', selected: d.billingMode !== 'SHOWBACK' }, 'Chargeback (statements are invoices)'),
            el('option', { value: 'SHOWBACK', selected: d.billingMode === 'SHOWBACK' }, 'Showback (shown, not payable)'))),
        el('button', { type: 'submit' }, department ? 'Save department' : 'Create department'));
    form.addEventListener('submit', action(async () => {
        const data = new FormData(form);
        const body = { name: data.get('name'), costCentreCode: data.get('costCentreCode'),
            monthlyBudget: data.get('monthlyBudget') || undefined, billingMode: data.get('billingMode') };
        if (department) {
            Object.assign(body, { softAlertPercent: d.softAlertPercent, hardCap: d.hardCap, pricingMode: d.pricingMode,
                marginPercent: d.marginPercent });
        }
        const answer = await api(department ? `/api/billing/departments/${department.id}` : '/api/billing/departments',
            { method: department ? 'PUT' : 'POST', body });
        state.departments = await api('/api/billing/departments');
        await saved();
        showNotice(`${answer.name} ${department ? 'saved' : 'created'} (${answer.billingMode === 'SHOWBACK' ? 'showback' : 'chargeback'})`);
    }));
    return form;
}

// what the gateway holds at the door: each budget's spend, what requests under way hold, and what is left
function budgetsCard(department, budgets, agentList, refresh) {
    const agentName = (id) => (agentList.find((a) => a.id === id) || {}).name || short(id);
    const name = (b) => b.scope === 'department' ? department.name : b.scope === 'agent' ? agentName(b.id) : (b.name || short(b.id));
    const card = el('div', { class: 'card' }, el('h2', {}, `${department.name}: budgets at the door (${budgets.length ? budgets[0].period : 'this month'})`),
        el('p', { class: 'muted' }, 'Every request reserves its worst-case charge against each budget it falls under; the strictest one refuses it (402).'),
        table([
            { label: 'Budget', value: (b) => `${b.scope}: ${name(b)}` },
            { label: 'Limit', num: true, value: (b) => money(b.limit, b.currency) },
            { label: 'Spent', num: true, value: (b) => money(b.spent, b.currency) },
            { label: 'Held now', num: true, value: (b) => money(b.reserved, b.currency) },
            { label: 'Left', num: true, value: (b) => money(b.remaining, b.currency) },
            { label: 'At the door', value: (b) => badge(b.enforced ? 'ENFORCED' : 'WARN_ONLY') },
        ], budgets, 'budgets-table'));
    if (isAdmin() && agentList.length) {
        const form = el('form', { 'data-testid': 'agent-budget-form' },
            el('label', {}, 'Agent', el('select', { name: 'agent' }, agentList.map((a) => el('option', { value: a.id }, a.name)))),
            el('label', {}, 'Monthly budget', el('input', { name: 'monthlyBudget', type: 'number', min: 0, step: 'any', required: true })),
            el('button', { type: 'submit' }, 'Set agent budget'));
        form.addEventListener('submit', action(async () => {
            const data = new FormData(form);
            await api(`/api/gateway/budgets/agents/${data.get('agent')}`, { method: 'PUT',
                body: { departmentId: department.id, monthlyBudget: data.get('monthlyBudget') } });
            await refresh();
        }));
        card.append(form);
    }
    return card;
}

// ---------- Agents: state, actions, runs and transcripts ----------

async function agentsPage(view) {
    const list = el('div');
    const runs = el('div');
    // the tag keys an agent may carry, as a hint beside the tag fields (anyone who may write agents reads them)
    state.tagRules = holds('agents:write') ? await api('/api/tags').catch(() => null) : null;
    const form = agentForm(async () => { await refresh(); });
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Agents'), list), runs);
    if (holds('agents:write')) view.append(form);

    async function refresh() {
        const agents = await api('/api/agents');
        list.replaceChildren(table([
            { label: 'Agent', value: (a) => el('button', { 'data-testid': `open-${a.name}`, onclick: action(() => agentRuns(a, runs)) }, a.name) },
            { label: 'Department', value: (a) => departmentName(a.departmentId) },
            { label: 'State', value: (a) => el('span', {}, badge(a.state), ' ', el('span', { class: 'muted' }, a.stateReason)) },
            { label: 'Model', value: (a) => a.definition.model },
            { label: 'Tags', value: (a) => tagsShown(a.definition.tags, `tags-${a.name}`) },
            { label: 'Trigger', value: (a) => a.definition.trigger === 'LOOP' ? `every ${a.definition.intervalSeconds} s`
                : a.definition.trigger === 'CRON' ? `cron ${a.definition.cron}` : a.definition.trigger.toLowerCase() },
            { label: 'Version', num: true, value: (a) => a.version },
            { label: 'Actions', value: (a) => el('div', { class: 'actions' }, agentActions(a, refresh)) },
        ], agents, 'agents-table'));
    }

    await refresh();
    state.timer = setInterval(() => refresh().catch((error) => showError(error.message)), REFRESH_MS);
}

function agentActions(agent, refresh) {
    const move = (verb) => el('button', { 'data-testid': `${verb}-${agent.name}`, class: verb === 'retire' ? 'danger' : null,
        onclick: action(async () => {
            if (verb === 'retire' && !confirm(`Retire ${agent.name}? A retired agent never runs again.`)) return;
            await api(`/api/agents/${agent.id}/${verb}`, { method: 'POST' });
            showNotice(`${agent.name}: ${verb} done`);
            await refresh();
        }) }, verb);
    const buttons = [];
    if (!holds('agents:write')) return buttons;
    if (agent.state === 'DRAFT') buttons.push(move('activate'));
    if (agent.state === 'ACTIVE') buttons.push(move('pause'));
    if (agent.state === 'PAUSED') buttons.push(move('resume'));
    if (agent.state === 'ACTIVE') {
        buttons.push(el('button', { 'data-testid': `run-${agent.name}`, onclick: action(async () => {
            const run = await api(`/api/agents/${agent.id}/runs`, { method: 'POST', body: {} });
            showNotice(`${agent.name}: run ${short(run.id)} queued`);
        }) }, 'run now'));
    }
    if (agent.state !== 'RETIRED') buttons.push(move('retire'));
    return buttons;
}

async function agentRuns(agent, container) {
    const runs = await api(`/api/agents/${agent.id}/runs?limit=20`);
    const transcript = el('div');
    container.replaceChildren(el('div', { class: 'card' }, el('h2', {}, `${agent.name}: last runs`),
        agent.state === 'RETIRED' ? null : editForm(agent, container), table([
        { label: 'Run', value: (r) => el('button', { onclick: action(() => runTranscript(agent, r.id, transcript)) }, short(r.id)) },
        { label: 'Status', value: (r) => badge(r.status) },
        { label: 'Trigger', value: (r) => r.trigger.toLowerCase() },
        { label: 'Started', value: (r) => r.startedAt ? new Date(r.startedAt).toLocaleString() : '–' },
        { label: 'Delay (ms)', num: true, value: (r) => number(r.startDelayMs) },
        { label: 'Steps', num: true, value: (r) => r.steps },
        { label: 'Tokens', num: true, value: (r) => number(r.totalTokens) },
        { label: 'Error', value: (r) => r.error || '' },
    ], runs, 'runs-table'), transcript));
}

/**
 * Edits what the agent does and the cost tags its usage carries; the service keeps every version, runs record the one
 * they ran, and the agent's key gets the new tags before its next request.
 */
function editForm(agent, container) {
    const d = agent.definition;
    const form = el('form', { 'data-testid': 'edit-agent' },
        el('label', {}, 'Model', el('input', { name: 'model', value: d.model, required: true })),
        el('label', {}, 'Instructions', el('input', { name: 'instructions', value: d.instructions, required: true, size: 40 })),
        d.trigger === 'LOOP' ? el('label', {}, 'Every (s)', el('input', { name: 'interval', type: 'number', min: 1, value: d.intervalSeconds })) : null,
        tagInputs(d.tags, allowedTagsHint()),
        el('button', { type: 'submit' }, `Save as version ${agent.version + 1}`));
    form.addEventListener('submit', action(async () => {
        const data = new FormData(form);
        const saved = await api(`/api/agents/${agent.id}`, { method: 'PUT', body: {
            name: agent.name, model: data.get('model'), instructions: data.get('instructions'), tools: d.tools,
            trigger: { kind: d.trigger, intervalSeconds: data.get('interval') ? Number(data.get('interval')) : d.intervalSeconds,
                cron: d.cron, timeZone: d.timeZone },
            limits: { maxSteps: d.maxSteps, maxTokensPerRun: d.maxTokensPerRun, maxRunsPerDay: d.maxRunsPerDay,
                monthlyTokenBudget: d.monthlyTokenBudget },
            overlapPolicy: d.overlapPolicy, tags: tagsFrom(data) } });
        showNotice(`${saved.name} saved as version ${saved.version}`);
        await agentRuns(saved, container);
    }));
    return form;
}

async function runTranscript(agent, runId, container) {
    const { run, accounting } = await api(`/api/agents/${agent.id}/runs/${runId}`);
    const cost = accounting && accounting.cost !== undefined
        ? `${number(accounting.joules, 3)} J · cost ${accounting.cost} ${accounting.currency} · charge ${accounting.charge} ${accounting.currency}`
        : 'joules and cost: not charged yet';
    container.replaceChildren(el('div', { 'data-testid': 'transcript' },
        el('h2', {}, `Run ${short(run.id)} `, badge(run.status)),
        el('p', {}, `${number(run.promptTokens)} prompt + ${number(run.completionTokens)} completion tokens · ${cost}`),
        run.input ? el('p', {}, el('strong', {}, 'Input: '), run.input) : null,
        (run.stepDetails || []).map((step) => el('div', {},
            el('h3', {}, `Step ${step.step} · ${number(step.promptTokens + step.completionTokens)} tokens · ${step.finishReason || ''}`),
            step.content ? el('pre', { class: 'transcript' }, step.content) : null,
            (step.toolCalls || []).map((call) => el('pre', { class: 'transcript' },
                `${call.error ? '✗' : '✓'} ${call.name}(${call.arguments}) → ${call.result}`)))),
        run.transcriptPurged ? el('p', { class: 'muted' }, 'The transcript is past its retention; the totals stay.') : null));
}

function agentForm(created) {
    const department = isAdmin()
        ? el('select', { name: 'departmentId', required: true }, state.departments.map((d) => el('option', { value: d.id }, d.name)))
        : null;
    const form = el('form', { 'data-testid': 'agent-form' },
        el('label', {}, 'Name', el('input', { name: 'name', required: true, maxlength: 100 })),
        department ? el('label', {}, 'Department', department) : null,
        el('label', {}, 'Model', el('input', { name: 'model', value: 'byte-lm-moby', required: true })),
        el('label', {}, 'Instructions', el('input', { name: 'instructions', required: true, size: 40 })),
        el('label', {}, 'Every (s)', el('input', { name: 'interval', type: 'number', min: 1, value: 60, required: true })),
        tagInputs(null, allowedTagsHint()),
        el('button', { type: 'submit' }, 'Create agent'));
    form.addEventListener('submit', action(async () => {
        const data = new FormData(form);
        const agent = await api('/api/agents', { method: 'POST', body: {
            name: data.get('name'), departmentId: data.get('departmentId') || undefined, model: data.get('model'),
            instructions: data.get('instructions'), tools: [],
            trigger: { kind: 'LOOP', intervalSeconds: Number(data.get('interval')) }, tags: tagsFrom(data) } });
        showNotice(`Agent ${agent.name} created (draft): activate it to start`);
        form.reset();
        await created();
    }));
    return el('div', { class: 'card' }, el('h2', {}, 'New always-on agent'), form);
}

// ---------- Usage explorer ----------

async function usagePage(view) {
    const now = new Date();
    const form = el('form', { 'data-testid': 'usage-form' },
        el('label', {}, 'From', el('input', { name: 'from', type: 'datetime-local', value: localMinute(new Date(now.getTime() - 86400e3)) })),
        // the field holds minutes: the next minute, so usage of this very minute is in the range
        el('label', {}, 'To', el('input', { name: 'to', type: 'datetime-local', value: localMinute(new Date(now.getTime() + 60e3)) })),
        el('label', {}, 'Granularity', el('select', { name: 'granularity' },
            ['total', 'day', 'hour', 'minute'].map((g) => el('option', { value: g }, g)))),
        // user: OpenAI's user field of each request, the client's own end user; team and project: the cost tags of the
        // key or agent that made it (these three read from the raw records)
        ['department', 'agent', 'model', 'node', 'energySource', 'user', 'team', 'project'].map((d) => el('label', {},
            d === 'energySource' ? 'energy source' : d, el('input', { type: 'checkbox', name: 'groupBy', value: d, checked: d === 'model' }))),
        el('label', {}, 'Team is', el('input', { name: 'team', maxlength: 100, size: 10, placeholder: 'any' })),
        el('label', {}, 'Project is', el('input', { name: 'project', maxlength: 100, size: 10, placeholder: 'any' })),
        el('button', { type: 'submit' }, 'Show'),
        el('button', { type: 'button', 'data-testid': 'usage-csv', onclick: action(() => download(`${query()}&format=csv`, 'usage.csv')) }, 'Download CSV'));
    const result = el('div');
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Usage'), form), el('div', { class: 'card' }, result));

    function query() {
        const data = new FormData(form);
        const groupBy = data.getAll('groupBy').join(',');
        const filters = ['team', 'project'].map((tag) => String(data.get(tag) || '').trim() ? `&${tag}=${encodeURIComponent(
            String(data.get(tag)).trim())}` : '').join('');
        return `/api/metering/usage?from=${iso(new Date(data.get('from')))}&to=${iso(new Date(data.get('to')))}`
            + `&granularity=${data.get('granularity')}${groupBy ? `&groupBy=${groupBy}` : ''}${filters}`;
    }

    async function refresh() {
        const usage = await api(query());
        const grouped = new FormData(form).getAll('groupBy');
        const byUser = grouped.includes('user');
        // a tag column where the rows are grouped by it; a row of usage without that tag says so
        const tagColumn = (tag) => grouped.includes(tag) ? { label: tag === 'team' ? 'Team' : 'Project',
            value: (r) => r[tag] || el('span', { class: 'muted' }, 'untagged') } : null;
        const withoutEmissions = usage.totals.totalTokens - (usage.totals.tokensWithEmissions || 0);
        result.replaceChildren(table([
            { label: 'Start', value: (r) => r.start ? new Date(r.start).toLocaleString() : 'total' },
            { label: 'Department', value: (r) => r.department ? departmentName(r.department) : '' },
            { label: 'Agent', value: (r) => r.agent ? short(r.agent) : '' },
            { label: 'Model', value: (r) => r.model || '' }, { label: 'Node', value: (r) => r.node || '' },
            { label: 'User', value: (r) => r.user || (byUser ? el('span', { class: 'muted' }, 'none given') : '') },
            tagColumn('team'), tagColumn('project'),
            { label: 'Requests', num: true, value: (r) => number(r.requests) },
            { label: 'Tokens', num: true, value: (r) => number(r.totalTokens) },
            { label: 'Joules', num: true, value: (r) => number(r.energyJoules, 1) },
            { label: 'Energy', value: (r) => sourceBadges(r) },
            { label: 'Tokens without energy', num: true, value: (r) => number(r.tokensWithoutEnergy) },
            { label: 'gCO2e', num: true, value: (r) => r.tokensWithEmissions > 0 ? measure(r.emissionsGramsCo2e) : carbonRate(r) },
            { label: 'gCO2e/1k tokens', num: true, value: carbonRate },
        ].filter(Boolean), usage.rows, 'usage-table'), el('p', { class: 'muted' },
            `Total: ${number(usage.totals.requests)} requests, ${number(usage.totals.totalTokens)} tokens, ${number(usage.totals.energyJoules, 1)} J, `,
            el('span', { title: CARBON_HELP, 'data-testid': 'usage-emissions' }, usage.totals.totalTokens === 0 ? ''
                : usage.totals.gramsCo2ePerThousandTokens === null || usage.totals.gramsCo2ePerThousandTokens === undefined
                    ? 'emissions: no carbon intensity set'
                    : `${kilograms(usage.totals.emissionsGramsCo2e)} CO2e `
                        + `(${measure(usage.totals.gramsCo2ePerThousandTokens)} g per 1,000 tokens, location-based)`),
            ' ', sourceBadges(usage.totals)), sourceWarning(usage.totals),
            usage.totals.tokensWithEmissions > 0 && withoutEmissions > 0 ? el('p', { class: 'muted' },
                `${number(withoutEmissions)} tokens have no emissions figure (no energy figure, or no carbon intensity set for their node).`) : null);
    }

    form.addEventListener('submit', action(refresh));
    await refresh();
}

// ---------- Statements ----------

async function statementsPage(view) {
    const now = new Date();
    const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().substring(0, 7);
    const form = el('form', { 'data-testid': 'statements-form' },
        el('label', {}, 'Month', el('input', { name: 'period', type: 'month', value: previous, required: true })),
        el('button', { type: 'submit' }, 'Show'),
        isAdmin() ? el('button', { type: 'button', class: 'danger', 'data-testid': 'close-period', onclick: action(async () => {
            const period = new FormData(form).get('period');
            if (!confirm(`Close ${period}? Its statements can never change afterwards.`)) return;
            const closed = await api(`/api/billing/periods/${period}/close`, { method: 'POST' });
            showNotice(`${closed.period} closed: ${closed.statements} statements, ${closed.totalCharge} in all`);
            await refresh();
        }) }, 'Close month') : null,
        // the month's charges in FinOps FOCUS 1.2 columns: every department's for an administrator, a department's own
        el('button', { type: 'button', 'data-testid': 'focus-export', title: 'FOCUS 1.2 CSV of the month\'s charges',
            onclick: action(() => {
                const period = new FormData(form).get('period');
                const own = isAdmin() ? null : state.me.departmentId;
                return download(`/api/billing/focus?period=${period}`, `focus-${period}${own ? `-${own}` : ''}.csv`);
            }) }, 'FOCUS export'));
    const result = el('div');
    const detail = el('div');
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Statements'), form, result), detail);

    async function refresh() {
        const period = new FormData(form).get('period');
        const statements = await api(`/api/billing/statements?period=${period}`);
        detail.replaceChildren();
        result.replaceChildren(table([
            { label: 'Department', value: (s) => el('button', { 'data-testid': `statement-${s.departmentName}`,
                onclick: action(() => statementDetail(s.id, detail)) }, s.departmentName) },
            { label: 'Cost centre', value: (s) => s.costCentreCode },
            { label: 'Billing', value: (s) => payableBadge(s) },
            { label: 'Charge', num: true, value: (s) => money(s.totalCharge, s.currency) },
            { label: 'Budget', num: true, value: (s) => s.monthlyBudget === null ? 'none' : money(s.monthlyBudget, s.currency) },
            { label: 'Emissions (CO2e)', num: true, value: (s) => el('span', { title: s.totalEmissionsGrams === null
                ? 'Closed before emissions were kept.' : CARBON_HELP }, kilograms(s.totalEmissionsGrams)) },
            { label: 'Closed', value: (s) => new Date(s.closedAt).toLocaleString() },
            { label: 'Download', value: (s) => el('div', { class: 'actions' },
                el('button', { 'data-testid': `pdf-${s.departmentName}`, onclick: action(() => download(`/api/billing/statements/${s.id}/pdf`, `statement-${s.period}-${s.costCentreCode}.pdf`)) }, 'PDF'),
                el('button', { onclick: action(() => download(`/api/billing/statements/${s.id}/csv`, `statement-${s.period}-${s.costCentreCode}.csv`)) }, 'CSV'),
                el('button', { 'data-testid': `focus-${s.departmentName}`, title: 'FOCUS 1.2 CSV of this department\'s month',
                    onclick: action(() => download(`/api/billing/focus?period=${s.period}&department=${s.departmentId}`,
                        `focus-${s.period}-${s.departmentId}.csv`)) }, 'FOCUS')) },
        ], statements, 'statements-table'));
    }

    form.addEventListener('submit', action(refresh));
    await refresh();
}

/** A showback statement is marked not payable; an invoice says nothing more than its mode. */
function payableBadge(summary) {
    return summary.payable === false
        ? el('span', { class: 'badge SHOWBACK', 'data-testid': 'showback-badge',
            title: 'Shows use and what it would cost; not an invoice, and not in the journal\'s receivables.' }, 'Showback · not payable')
        : el('span', { class: 'muted' }, 'chargeback');
}

/**
 * One statement: its lines with their energy and emissions, its usage by team and project where the department tags
 * its keys or agents, and its top end users where billing lists them.
 */
async function statementDetail(id, container) {
    const { summary, lines, topUsers, teams = [] } = await api(`/api/billing/statements/${id}`);
    const untagged = (value) => value || el('span', { class: 'muted' }, 'untagged');
    const kwh = (l) => ['directKwh', 'idleKwh', 'overheadKwh'].reduce((sum, field) => sum + Number(l[field] || 0), 0);
    const totalKwh = lines.reduce((sum, l) => sum + kwh(l), 0);
    const estimated = lines.some((l) => l.energySource === 'ESTIMATED');
    container.replaceChildren(el('div', { class: 'card', 'data-testid': 'statement-detail' },
        el('h2', {}, `${summary.departmentName} · ${summary.period} `, payableBadge(summary)),
        el('p', {}, `Charge ${money(summary.totalCharge, summary.currency)} · energy ${measure(totalKwh)} kWh · `,
            el('span', { 'data-testid': 'statement-emissions', title: CARBON_HELP },
                summary.totalEmissionsGrams === null || summary.totalEmissionsGrams === undefined
                    ? 'emissions not kept (closed before they were)'
                    : `emissions ${kilograms(summary.totalEmissionsGrams)} CO2e (location-based${estimated ? ', includes estimated energy' : ''})`)),
        table([
            { label: '#', num: true, value: (l) => l.lineNo }, { label: 'Kind', value: (l) => l.kind.toLowerCase() },
            { label: 'Model', value: (l) => l.model || '' }, { label: 'Period', value: (l) => l.servicePeriod || '' },
            { label: 'Requests', num: true, value: (l) => number(l.requests) },
            { label: 'Tokens', num: true, value: (l) => number(l.promptTokens + l.completionTokens + l.embeddingTokens) },
            { label: 'kWh', num: true, value: (l) => measure(kwh(l)) },
            { label: 'Energy', value: (l) => l.energySource ? sourceBadges({ energySource: l.energySource })
                : el('span', { class: 'muted' }, l.energyLabel) },
            { label: 'gCO2e', num: true, value: (l) => measure(l.emissionsGrams) },
            { label: 'Charge', num: true, value: (l) => money(l.charge, summary.currency) },
        ], lines, 'statement-lines'),
        teams.length === 0 ? null : el('div', {}, el('h2', {}, 'By team and project'),
            el('p', { class: 'muted' }, 'The month\'s usage by the team and project tags of the keys and agents that made it.'),
            table([
                { label: 'Team', value: (t) => untagged(t.team) }, { label: 'Project', value: (t) => untagged(t.project) },
                { label: 'Requests', num: true, value: (t) => number(t.requests) },
                { label: 'Tokens', num: true, value: (t) => number(t.tokens) },
                { label: 'gCO2e', num: true, value: (t) => measure(t.emissionsGrams) },
                { label: 'Charge', num: true, value: (t) => money(t.charge, summary.currency) },
            ], teams, 'statement-teams')),
        topUsers.length === 0 ? null : el('div', {}, el('h2', {}, 'Top end users (OpenAI user field)'), table([
            { label: 'Rank', num: true, value: (u) => u.rank }, { label: 'User', value: (u) => u.user },
            { label: 'Requests', num: true, value: (u) => number(u.requests) },
            { label: 'Tokens', num: true, value: (u) => number(u.tokens) },
            { label: 'Charge', num: true, value: (u) => money(u.charge, summary.currency) },
        ], topUsers, 'top-users'))));
    container.scrollIntoView();
}

// ---------- Keys, models and rate cards (administrators) ----------

const DEPARTMENT_SCOPES = ['inference', 'usage:read', 'agents:read', 'agents:write', 'billing:read'];
const PLATFORM_SCOPES = ['billing:admin', 'keys:admin', 'metrics:read', 'admin'];

async function keysPage(view) {
    const list = el('div');
    const secret = el('div');
    const tagEditor = el('div');
    const rules = await api('/api/tags').catch((error) => ({ error }));
    state.tagRules = rules.error ? null : rules;
    const form = el('form', { 'data-testid': 'key-form' },
        el('label', {}, 'Name', el('input', { name: 'name', required: true, maxlength: 100 })),
        el('label', {}, 'Department', el('select', { name: 'departmentId' }, el('option', { value: '' }, '— none (admin) —'),
            state.departments.map((d) => el('option', { value: d.id }, d.name)))),
        // a department's key holds the department scopes; a key of no department the platform ones
        DEPARTMENT_SCOPES.concat(PLATFORM_SCOPES).map((scope) => el('label', {}, scope,
            el('input', { type: 'checkbox', name: 'scopes', value: scope, checked: DEPARTMENT_SCOPES.includes(scope) }))),
        el('label', {}, 'Monthly budget', el('input', { name: 'monthlyBudget', type: 'number', min: 0, step: 'any', placeholder: 'none' })),
        el('label', {}, 'Priority', el('select', { name: 'priority' }, el('option', {}, 'interactive'), el('option', {}, 'batch'))),
        el('label', {}, 'At once', el('input', { name: 'maxConcurrent', type: 'number', min: 1, step: 1, placeholder: 'default' })),
        // the cost tags every request with the key carries to metering and billing
        tagInputs(null, allowedTagsHint()),
        el('button', { type: 'submit' }, 'Create key'));
    form.addEventListener('submit', action(async () => {
        const data = new FormData(form);
        const tags = tagsFrom(data);
        const created = await api('/api/keys', { method: 'POST', body: { name: data.get('name'),
            departmentId: data.get('departmentId') || undefined, scopes: data.getAll('scopes'),
            monthlyBudget: data.get('monthlyBudget') || undefined, priority: data.get('priority'),
            maxConcurrent: data.get('maxConcurrent') || undefined, tags: Object.keys(tags).length ? tags : undefined } });
        showSecret(created);
        form.reset();
        await refresh();
    }));
    const [models, cards, carbon] = await Promise.all([api('/api/billing/models'), api('/api/billing/rate-cards'),
        api('/api/metering/carbon-intensities').catch((error) => ({ error }))]);
    const modelForm = el('form', { 'data-testid': 'model-form' },
        el('label', {}, 'Model', el('input', { name: 'name', required: true })),
        el('label', {}, 'Task', el('select', { name: 'task' }, el('option', {}, 'GENERATION'), el('option', {}, 'EMBEDDING'))),
        el('button', { type: 'submit' }, 'Add model'));
    modelForm.addEventListener('submit', action(async () => {
        const data = new FormData(modelForm);
        await api('/api/billing/models', { method: 'POST', body: { name: data.get('name'), task: data.get('task') } });
        show('keys');
    }));
    const cardForm = el('form', { 'data-testid': 'rate-card-form' },
        el('label', {}, 'Model', el('select', { name: 'model' }, models.map((m) => el('option', {}, m.name)))),
        el('label', {}, 'From', el('input', { name: 'effectiveFrom', type: 'datetime-local', required: true })),
        ['promptPerMillion', 'completionPerMillion', 'embeddingPerMillion'].map((field) => el('label', {}, field.replace('PerMillion', ' / 1M'),
            el('input', { name: field, type: 'number', min: 0, step: 'any', value: 0, required: true }))),
        el('button', { type: 'submit' }, 'Add rate card'));
    cardForm.addEventListener('submit', action(async () => {
        const data = new FormData(cardForm);
        await api('/api/billing/rate-cards', { method: 'POST', body: { model: data.get('model'),
            effectiveFrom: iso(new Date(data.get('effectiveFrom'))), promptPerMillion: data.get('promptPerMillion'),
            completionPerMillion: data.get('completionPerMillion'), embeddingPerMillion: data.get('embeddingPerMillion') } });
        show('keys');
    }));
    view.append(el('div', { class: 'card' }, el('h1', {}, 'API keys'), secret, form, tagEditor, list),
        tagKeysCard(rules),
        el('div', { class: 'card' }, el('h2', {}, 'Prices (append-only: a new rate card applies from its date on)'), modelForm, cardForm),
        el('div', { class: 'card row' },
            el('div', {}, el('h2', {}, 'Models'), table([{ label: 'Model', value: (m) => m.name }, { label: 'Task', value: (m) => m.task }], models, 'models')),
            el('div', {}, el('h2', {}, 'Rate cards (per 1M tokens)'), table([
                { label: 'Model', value: (c) => c.model }, { label: 'From', value: (c) => c.effectiveFrom },
                { label: 'Prompt', num: true, value: (c) => c.promptPerMillion },
                { label: 'Completion', num: true, value: (c) => c.completionPerMillion },
                { label: 'Embedding', num: true, value: (c) => c.embeddingPerMillion }], cards, 'rate-cards'))),
        carbonCard(carbon));

    /** Replaces a key's cost tags (PUT /api/keys/{id}/tags); a tag the rules refuse is named beside the fields. */
    function editTags(k) {
        const problem = el('p', { class: 'warning', 'data-testid': 'key-tags-problem', hidden: true });
        const tagForm = el('form', { 'data-testid': 'key-tags-form' }, tagInputs(k.tags, allowedTagsHint()),
            el('button', { type: 'submit' }, 'Save tags'),
            el('button', { type: 'button', onclick: () => tagEditor.replaceChildren() }, 'Cancel'));
        tagForm.addEventListener('submit', action(async () => {
            problem.hidden = true;
            let saved;
            try {
                saved = await api(`/api/keys/${k.id}/tags`, { method: 'PUT', body: { tags: tagsFrom(new FormData(tagForm)) } });
            } catch (error) {
                if (error.status !== 422) throw error;
                problem.textContent = error.message;
                problem.hidden = false;
                return;
            }
            tagEditor.replaceChildren();
            showNotice(`Tags of ${saved.name}: ${tagsShown(saved.tags).textContent}`);
            await refresh();
        }));
        tagEditor.replaceChildren(el('div', { 'data-testid': 'key-tags-editor' }, el('h2', {}, `Cost tags of ${k.name}`),
            el('p', { class: 'muted' }, 'These replace the key\'s tags (empty fields remove them); its requests from now on carry them.'),
            tagForm, problem));
        tagForm.querySelector('input').focus();
    }

    function showSecret(created) {
        secret.replaceChildren(el('p', {}, `Secret of ${created.key.name} — shown this once, store it now:`),
            el('div', { class: 'secret', 'data-testid': 'new-secret' }, created.secret));
    }

    async function refresh() {
        const keys = await api('/api/keys');
        list.replaceChildren(table([
            { label: 'Name', value: (k) => k.name }, { label: 'Key', value: (k) => k.secretHint },
            { label: 'Department', value: (k) => k.departmentId ? departmentName(k.departmentId) : '—' },
            { label: 'Agent', value: (k) => k.agentId ? short(k.agentId) : '' },
            { label: 'Scopes', value: (k) => k.scopes.join(' ') },
            // an agent's key carries its agent's tags: they are set on the agent
            { label: 'Tags', value: (k) => Object.assign(tagsShown(k.tags, 'key-tags'),
                k.agentId ? { title: 'Set on its agent (Agents page): the key follows the agent\'s tags.' } : {}) },
            { label: 'Status', value: (k) => badge(k.status) },
            { label: 'Budget', num: true, value: (k) => k.monthlyBudget === null ? 'none' : money(k.monthlyBudget) },
            { label: 'Priority', value: (k) => k.priority },
            { label: 'Actions', value: (k) => k.status !== 'ACTIVE' ? '' : el('div', { class: 'actions' },
                el('button', { onclick: action(async () => {
                    const amount = prompt(`Monthly budget of ${k.name} (empty: none)`, k.monthlyBudget ?? '');
                    if (amount === null) return;
                    await api(`/api/keys/${k.id}/budget`, { method: 'PUT', body: { monthlyBudget: amount.trim() === '' ? null : amount.trim() } });
                    await refresh();
                }) }, 'budget'),
                // only a department's keys carry tags; an agent's are set on the agent
                k.agentId || !k.departmentId ? null
                    : el('button', { 'data-testid': `edit-tags-${k.id}`, onclick: action(() => editTags(k)) }, 'edit tags'),
                el('button', { onclick: action(async () => { showSecret(await api(`/api/keys/${k.id}/rotate`, { method: 'POST' })); await refresh(); }) }, 'rotate'),
                el('button', { class: 'danger', onclick: action(async () => {
                    if (!confirm(`Revoke ${k.name}? Requests with it stop at once.`)) return;
                    await api(`/api/keys/${k.id}/revoke`, { method: 'POST' });
                    await refresh();
                }) }, 'revoke')) },
        ], keys, 'keys-table'));
    }

    await refresh();
}

/**
 * The cost tag keys keys and agents may carry: team and project always, others once an administrator allows them here
 * (the list replaces the last one).
 */
function tagKeysCard(rules) {
    if (rules.error) {
        return el('div', { class: 'card' }, el('h2', {}, 'Cost tag keys'), el('p', { class: 'warning' },
            `Did not answer: GET /api/tags (${rules.error.message})`));
    }
    const form = el('form', { 'data-testid': 'allowed-tag-keys-form' },
        el('label', {}, 'Allowed keys, comma-separated', el('input', { name: 'keys', value: rules.allowedKeys.join(', '),
            size: 40, maxlength: 2000, placeholder: 'costcode, site' })),
        el('button', { type: 'submit' }, 'Replace allowed keys'));
    form.addEventListener('submit', action(async () => {
        const keys = String(new FormData(form).get('keys') || '').split(/[\s,]+/).filter(Boolean);
        const allowed = await api('/api/tags/allowed-keys', { method: 'PUT', body: { keys } });
        show('keys');
        showNotice(`Allowed cost tag keys: ${allowed.allowedKeys.join(', ') || 'none beyond team and project'}`);
    }));
    return el('div', { class: 'card', 'data-testid': 'cost-tag-keys' }, el('h2', {}, 'Cost tag keys'),
        el('p', { class: 'muted' }, 'Keys and agents carry cost tags; each request\'s usage takes them to metering and billing '
            + '(usage, efficiency and cost per token by team and project, statements\' subtotals, FOCUS Tags). Keys are '
            + 'lower-case letters, digits, - and _, up to 32; a key or agent carries at most 10 tags. Taking a key off the '
            + 'list refuses it in tags set from now on; keys that carry it keep it until their tags are next set.'),
        el('p', {}, 'Always allowed: ', el('span', { 'data-testid': 'always-allowed-tag-keys' }, rules.alwaysAllowed.join(', ')),
            el('br'), 'Allowed by an administrator: ', el('span', { 'data-testid': 'allowed-tag-keys' },
                rules.allowedKeys.length ? rules.allowedKeys.join(', ') : el('span', { class: 'muted' }, 'none yet'))),
        form);
}

/**
 * Grid carbon intensities (gCO2e per kWh), effective-dated like prices: the most specific in force wins (node, then
 * site, then the whole factory); one never reaches back over usage already metered.
 */
function carbonCard(carbon) {
    if (carbon.error) {
        return el('div', { class: 'card' }, el('h2', {}, 'Carbon intensities'), el('p', { class: 'warning' },
            `Did not answer: metering-service (${carbon.error.message})`));
    }
    const sites = Object.entries(carbon.sites || {});
    const targets = el('datalist', { id: 'carbon-targets' }, sites.flatMap(([site, nodes]) => [site, ...nodes])
        .map((name) => el('option', { value: name })));
    const form = el('form', { 'data-testid': 'carbon-intensity-form' },
        el('label', {}, 'Covers', el('select', { name: 'scope' }, el('option', { value: 'FACTORY' }, 'whole factory'),
            el('option', { value: 'SITE' }, 'site'), el('option', { value: 'NODE' }, 'node'))),
        el('label', {}, 'Site or node', el('input', { name: 'target', list: 'carbon-targets', maxlength: 200, placeholder: 'none for the factory' })),
        el('label', {}, 'From', el('input', { name: 'effectiveFrom', type: 'datetime-local', title: 'empty: now' })),
        el('label', {}, 'gCO2e / kWh', el('input', { name: 'gramsPerKwh', type: 'number', min: 0, max: 5000, step: 'any', required: true })),
        el('label', {}, 'Source', el('input', { name: 'source', maxlength: 200, placeholder: 'grid operator, contract …' })),
        el('button', { type: 'submit' }, 'Add intensity'), targets);
    form.addEventListener('submit', action(async () => {
        const data = new FormData(form);
        await api('/api/metering/carbon-intensities', { method: 'POST', body: { scope: data.get('scope'),
            target: data.get('target') || undefined, gramsPerKwh: data.get('gramsPerKwh'), source: data.get('source') || undefined,
            effectiveFrom: data.get('effectiveFrom') ? iso(new Date(data.get('effectiveFrom'))) : undefined } });
        show('keys');
        showNotice('Carbon intensity added');
    }));
    return el('div', { class: 'card' }, el('h2', {}, 'Carbon intensities (append-only: each applies from its date on)'),
        el('p', { class: 'muted' }, 'Grams of CO2e per kWh drawn from the grid (location-based). The most specific one in force '
            + 'covers a request: its node\'s, its site\'s, else the factory\'s. Usage already metered keeps the intensity it had. '
            + (sites.length ? `Sites: ${sites.map(([site, nodes]) => `${site} (${nodes.join(', ')})`).join('; ')}.` : 'No sites are declared.')),
        form, table([
            { label: 'Covers', value: (c) => c.scope === 'FACTORY' ? 'whole factory' : `${c.scope.toLowerCase()} ${c.target}` },
            { label: 'From', value: (c) => new Date(c.effectiveFrom).toLocaleString() },
            { label: 'gCO2e / kWh', num: true, value: (c) => number(c.gramsPerKwh, 3) },
            { label: 'Source', value: (c) => c.source || '' },
        ], carbon.intensities, 'carbon-intensities'));
}

// ---------- Reconciliation (administrators): served = metered = billed ----------

async function reconciliationPage(view) {
    const now = new Date();
    const form = el('form', { 'data-testid': 'reconciliation-form' },
        el('label', {}, 'From', el('input', { name: 'from', type: 'datetime-local', value: localMinute(new Date(now.getTime() - 86400e3)) })),
        el('label', {}, 'To', el('input', { name: 'to', type: 'datetime-local', value: localMinute(new Date(now.getTime() + 3600e3)) })),
        el('button', { type: 'submit' }, 'Reconcile'));
    const result = el('div');
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Reconciliation'),
        el('p', { class: 'muted' }, 'What inference-service served, metering-service metered and billing-service billed, '
            + 'for requests, tokens and joules, over whole hours.'), form), result);
    const counts = (c) => c ? `${number(c.requests)} req · ${number(c.promptTokens + c.completionTokens)} tok · ${number(c.energyJoules, 3)} J` : 'unavailable';
    const tokens = (t) => t ? `${number(t.promptTokens)} · ${number(t.completionTokens)}` : 'unavailable';

    async function refresh() {
        const data = new FormData(form);
        const r = await api(`/api/metering/reconciliation?from=${iso(new Date(data.get('from')))}&to=${iso(new Date(data.get('to')))}`);
        result.replaceChildren(el('div', { class: 'card' },
            el('h2', {}, 'Balanced: ', el('span', { class: `badge ${r.balanced ? 'OK' : 'EXCEEDED'}`, 'data-testid': 'balanced' },
                r.balanced ? 'yes' : 'no')),
            el('p', {}, `${new Date(r.from).toLocaleString()} – ${new Date(r.to).toLocaleString()}`),
            table([{ label: 'Side', value: (x) => x.side }, { label: 'Requests · tokens · joules', value: (x) => counts(x.counts) }], [
                { side: 'served (inference)', counts: r.served }, { side: 'metered (raw)', counts: r.metered },
                { side: 'metered (hourly rollups)', counts: r.rolledUp }, { side: 'billed', counts: r.billed }], 'reconciliation-totals'),
            r.awaitingEnergy > 0 ? el('p', { class: 'warning' }, `${r.awaitingEnergy} served requests are waiting for their energy to be settled (seconds, normally).`) : null,
            (r.unavailable || []).map((reason) => el('p', { class: 'warning' }, `Did not answer: ${reason}`))),
        el('div', { class: 'card' }, el('h2', {}, 'Per department and model'), table([
            { label: 'Department', value: (x) => departmentName(x.department) }, { label: 'Model', value: (x) => x.model },
            { label: 'Served', value: (x) => counts(x.served) }, { label: 'Metered', value: (x) => counts(x.metered) },
            { label: 'Billed', value: (x) => counts(x.billed) },
            { label: '', value: (x) => badge(x.balanced ? 'OK' : 'EXCEEDED') }], r.rows, 'reconciliation-rows')),
        el('div', { class: 'card' }, el('h2', {}, 'Idle energy per department'), table([
            { label: 'Department', value: (x) => departmentName(x.department) },
            { label: 'Allocated (J)', num: true, value: (x) => number(x.meteredJoules, 3) },
            { label: 'Billed (J)', num: true, value: (x) => number(x.billedJoules, 3) },
            { label: '', value: (x) => badge(x.balanced ? 'OK' : 'EXCEEDED') }], r.idle, 'reconciliation-idle')),
        ...(r.relayed ? [el('div', { class: 'card' }, el('h2', {}, 'Relayed to clients by the gateway, against served'),
            el('p', { class: 'muted' }, `${new Date(r.relayed.from).toLocaleString()} – ${new Date(r.relayed.to).toLocaleString()}: `
                + 'the hours the gateway has counted completely. Fewer relayed prompt tokens than served is no imbalance '
                + '(a stream without a usage, an error answer).'),
            table([{ label: 'Department', value: (x) => departmentName(x.department) },
                { label: 'Relayed (prompt · completion)', value: (x) => tokens(x.relayed) },
                { label: 'Served', value: (x) => tokens(x.served) },
                { label: 'Relayed − served', value: (x) => tokens(x.difference) },
                { label: '', value: (x) => badge(x.balanced ? 'OK' : 'EXCEEDED') }], r.relayed.rows, 'reconciliation-relayed'))] : []));
    }

    form.addEventListener('submit', action(refresh));
    await refresh();
}

// ---------- Dead letters (administrators): what each service's consumers gave up on ----------

/** Each consuming service's dead letters, as the gateway routes them: /api/dead-letters/<area>. */
const DEAD_LETTER_SERVICES = [{ area: 'gateway', name: 'gateway' }, { area: 'agents', name: 'agent-service' },
    { area: 'metering', name: 'metering-service' }, { area: 'billing', name: 'billing-service' }];

async function deadLettersPage(view) {
    const form = el('form', { 'data-testid': 'dead-letters-form' },
        el('label', {}, 'Show', el('select', { name: 'status' },
            ['waiting', 'replayed', 'discarded', 'all'].map((s) => el('option', { value: s }, s)))),
        el('button', { type: 'submit' }, 'Refresh'));
    const summary = el('div', { class: 'tiles' });
    const result = el('div');
    const detail = el('div');
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Dead letters'),
        el('p', { class: 'muted' }, 'Messages a service\'s consumer gave up on: one that failed for a reason other than '
            + 'an outage, after a few tries, is parked here with the reason while the messages behind it flow. Replay '
            + 'sends one back to its queue once its cause is fixed (consumers skip what they already processed); '
            + 'discard sets it aside for good.'), form), summary, result, detail);

    async function refresh() {
        const status = new FormData(form).get('status');
        const lists = await Promise.all(DEAD_LETTER_SERVICES.map((service) =>
            api(`/api/dead-letters/${service.area}?status=${status}`)
                .then((list) => ({ service, list }), (error) => ({ service, error }))));
        summary.replaceChildren(...lists.map(({ service, list }) =>
            tile(`Waiting in ${service.name}`, list ? number(list.waiting) : '–', `dead-letters-waiting-${service.area}`)));
        const rows = lists.flatMap(({ service, list }) => (list ? list.deadLetters : []).map((d) => ({ service, d })));
        result.replaceChildren(el('div', { class: 'card' }, table([
            { label: 'Service', value: (r) => r.service.name },
            { label: 'Queue', value: (r) => `${r.d.destination} → ${r.d.group}` },
            { label: 'Event', value: (r) => el('span', { title: r.d.eventId || '' }, r.d.eventType || 'untyped', ' ', short(r.d.eventId)) },
            { label: 'Reason', value: (r) => el('span', { title: r.d.reasonClass }, `${r.d.reasonClass.split('.').pop()}: ${r.d.reason}`) },
            { label: 'Tries', num: true, value: (r) => number(r.d.tries) },
            { label: 'First failed', value: (r) => new Date(r.d.firstFailedAt).toLocaleString() },
            { label: 'Status', value: (r) => el('span', {}, badge(r.d.status), r.d.parked > 1 ? ` parked ${r.d.parked}×` : '') },
            { label: 'Actions', value: (r) => el('div', { class: 'actions' },
                el('button', { 'data-testid': `inspect-${r.d.id}`, onclick: action(() => inspect(r)) }, 'inspect'),
                r.d.status === 'DISCARDED' ? null : el('button', { 'data-testid': `replay-${r.d.id}`, onclick: action(async () => {
                    const replayed = await api(`/api/dead-letters/${r.service.area}/${r.d.id}/replay`, { method: 'POST' });
                    showNotice(`Replayed ${replayed.eventType || 'the message'} to ${replayed.destination} for ${replayed.group}`);
                    await refresh();
                }) }, 'replay'),
                r.d.status !== 'WAITING' ? null : el('button', { class: 'danger', onclick: action(async () => {
                    const reason = prompt('Discard this dead letter for good? Say why:');
                    if (!reason) return;
                    await api(`/api/dead-letters/${r.service.area}/${r.d.id}?reason=${encodeURIComponent(reason)}`, { method: 'DELETE' });
                    showNotice('Discarded');
                    await refresh();
                }) }, 'discard')) },
        ], rows, 'dead-letters-table'), lists.filter((l) => l.error).map(({ service, error }) =>
            el('p', { class: 'warning' }, `Did not answer: ${service.name} (${error.message})`))));
    }

    async function inspect(row) {
        const letter = await api(`/api/dead-letters/${row.service.area}/${row.d.id}`);
        const d = letter.deadLetter;
        detail.replaceChildren(el('div', { class: 'card', 'data-testid': 'dead-letter-detail' },
            el('h2', {}, `${d.eventType || 'Untyped message'} in ${row.service.name}`),
            el('p', {}, `${d.destination} → ${d.group} · ${d.tries} ${d.tries === 1 ? 'try' : 'tries'} · parked ${d.parked}× · replayed ${d.replays}×`
                + (d.discardReason ? ` · discarded: ${d.discardReason}` : '')),
            el('p', { class: 'warning' }, `${d.reasonClass}: ${d.reason}`),
            el('h2', {}, 'Headers'),
            table([{ label: 'Header', value: (h) => h[0] }, { label: 'Value', value: (h) => h[1] }],
                Object.entries(letter.headers), 'dead-letter-headers'),
            el('h2', {}, `Body (${letter.bodyEncoding})`),
            el('pre', { class: 'transcript', 'data-testid': 'dead-letter-body' }, letter.body)));
        detail.scrollIntoView();
    }

    form.addEventListener('submit', action(refresh));
    await refresh();
}

const PAGES = { factory: factoryPage, capacity: capacityPage, departments: departmentsPage, agents: agentsPage,
    usage: usagePage, statements: statementsPage, reconciliation: reconciliationPage, keys: keysPage,
    'dead-letters': deadLettersPage, audit: auditPage };

// ---------- Audit: who changed what, when, from where, before and after (administrators) ----------

/** Where each service's audit trail is: the gateway's own, and the services' through it. */
const AUDIT_AREAS = [{ name: 'gateway', path: '/api/audit' }, { name: 'agent-service', path: '/api/audit/agents' },
    { name: 'billing-service', path: '/api/audit/billing' }, { name: 'metering-service', path: '/api/audit/metering' },
    { name: 'inference-service', path: '/api/audit/inference' }];

async function auditPage(view) {
    const form = el('form', { 'data-testid': 'audit-form' },
        el('label', {}, 'Service', el('select', { name: 'service' }, el('option', { value: '' }, 'all'),
            AUDIT_AREAS.map((area) => el('option', { value: area.name }, area.name)))),
        el('label', {}, 'Action', el('input', { name: 'action', placeholder: 'key. or agent.edited', maxlength: 100 })),
        el('label', {}, 'Actor', el('input', { name: 'actor', placeholder: 'key id or user', maxlength: 200 })),
        el('label', {}, 'Department', el('select', { name: 'departmentId' }, el('option', { value: '' }, 'all'),
            state.departments.map((d) => el('option', { value: d.id }, d.name)))),
        el('button', { type: 'submit' }, 'Show'),
        el('button', { type: 'button', 'data-testid': 'audit-csv', onclick: action(async () => {
            for (const area of areas()) await download(`${area.path}/csv?${query()}`, `audit-${area.name}.csv`);
        }) }, 'CSV'));
    const result = el('div');
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Audit trail'),
        el('p', { class: 'muted' }, 'Every change to keys, budgets, departments, prices, tariffs, nodes, agents, tools, '
            + 'webhooks and month closes, once, with who made it, from where, and what changed. Nobody can alter it: '
            + 'each service\'s database refuses.'), form), result);

    const areas = () => AUDIT_AREAS.filter((area) => !new FormData(form).get('service') || area.name === new FormData(form).get('service'));
    function query() {
        const data = new FormData(form);
        data.delete('service');
        return new URLSearchParams([...data.entries()].filter(([, value]) => value)).toString();
    }

    async function refresh() {
        const answers = await Promise.all(areas().map((area) => api(`${area.path}?${query()}`)
            .then((list) => list.map((r) => ({ ...r, service: area.name })), () => [])));
        const records = answers.flat().sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
        // what changed, field by field (nested objects one level down: definition.model), long values cut
        const shown = (value) => {
            const text = value === null || value === undefined ? '–' : typeof value === 'object' ? JSON.stringify(value) : String(value);
            return text.length > 80 ? `${text.substring(0, 79)}…` : text;
        };
        const flat = (object) => Object.fromEntries(Object.entries(object || {}).flatMap(([field, value]) =>
            value && typeof value === 'object' && !Array.isArray(value)
                ? Object.entries(value).map(([inner, innerValue]) => [`${field}.${inner}`, innerValue]) : [[field, value]]));
        const change = (r) => {
            const before = r.before ? flat(JSON.parse(r.before)) : null;
            const after = r.after ? flat(JSON.parse(r.after)) : null;
            if (!after) return el('span', { class: 'muted' }, 'removed');
            const lines = Object.keys(after)
                .filter((field) => before ? JSON.stringify(before[field]) !== JSON.stringify(after[field])
                    : after[field] !== null && !['id', 'createdAt', 'updatedAt'].includes(field))
                .map((field) => before ? `${field}: ${shown(before[field])} → ${shown(after[field])}` : `${field}: ${shown(after[field])}`);
            return el('div', { class: 'muted', title: JSON.stringify({ before: r.before && JSON.parse(r.before), after: JSON.parse(r.after) }, null, 1) },
                lines.map((line) => el('div', {}, line)));
        };
        result.replaceChildren(el('div', { class: 'card' }, table([
            { label: 'When', value: (r) => new Date(r.occurredAt).toLocaleString() },
            { label: 'Service', value: (r) => r.service },
            { label: 'Who', value: (r) => el('span', { title: r.actorId }, `${r.actorKind.toLowerCase().replace('_', ' ')} `
                + `${short(r.actorId)}`, r.sourceAddress ? el('span', { class: 'muted' }, ` from ${r.sourceAddress}`) : null) },
            { label: 'Action', value: (r) => r.action },
            { label: 'Subject', value: (r) => el('span', { title: r.subjectId || '' }, `${r.subjectType} ${short(r.subjectId || '')}`) },
            { label: 'Department', value: (r) => r.departmentId ? departmentName(r.departmentId) : '–' },
            { label: 'Change', value: change },
        ], records, 'audit-table')));
    }

    form.addEventListener('submit', action(refresh));
    await refresh();
}

// ---------- Webhooks: alerts that reach people (a department manages its own, an administrator all) ----------

const WEBHOOK_KINDS = ['BUDGET_WARNING', 'BUDGET_EXCEEDED', 'BUDGET_OK', 'AGENT_PAUSED_BY_BUDGET', 'MONTH_CLOSED'];
/** Webhook and delivery states drawn with the badge colours the console already has. */
const WEBHOOK_BADGES = { ACTIVE: 'ACTIVE', INACTIVE: 'PAUSED', DELIVERED: 'SUCCEEDED', PENDING: 'QUEUED', FAILED: 'FAILED' };
const webhookBadge = (text) => el('span', { class: `badge ${WEBHOOK_BADGES[text] || ''}`, 'data-testid': 'badge' }, text);

async function webhooksPage(view) {
    const list = el('div');
    const secret = el('div');
    const log = el('div');
    const form = el('form', { 'data-testid': 'webhook-form' },
        el('label', {}, 'URL', el('input', { name: 'url', type: 'url', required: true, maxlength: 2000,
            placeholder: 'https://hooks.example.com/…', size: 40 })),
        isAdmin() ? el('label', {}, 'Department', el('select', { name: 'departmentId' },
            el('option', { value: '' }, '— every department (administrators) —'),
            state.departments.map((d) => el('option', { value: d.id }, d.name)))) : null,
        el('label', {}, 'Format', el('select', { name: 'format' },
            el('option', { value: 'json' }, 'JSON'), el('option', { value: 'slack' }, 'Slack'))),
        el('label', {}, 'Description', el('input', { name: 'description', maxlength: 200 })),
        WEBHOOK_KINDS.map((kind) => el('label', {}, kind.toLowerCase().replaceAll('_', ' '),
            el('input', { type: 'checkbox', name: 'eventKinds', value: kind, checked: kind !== 'BUDGET_OK' }))),
        el('button', { type: 'submit' }, 'Create webhook'));
    form.addEventListener('submit', action(async () => {
        const data = new FormData(form);
        const created = await api('/api/billing/webhooks', { method: 'POST', body: { url: data.get('url'),
            departmentId: data.get('departmentId') || undefined, format: data.get('format'),
            description: data.get('description') || undefined, eventKinds: data.getAll('eventKinds') } });
        secret.replaceChildren(el('p', {}, `Signing secret of the webhook to ${created.webhook.url} — shown this once, store it now:`),
            el('div', { class: 'secret', 'data-testid': 'new-webhook-secret' }, created.secret),
            el('p', { class: 'muted' }, 'Each delivery carries X-TokenFactory-Signature: sha256=HMAC-SHA-256 of '
                + '"<X-TokenFactory-Timestamp>.<body>" under this secret.'));
        form.reset();
        await refresh();
    }));
    view.append(el('div', { class: 'card' }, el('h1', {}, 'Webhooks'),
        el('p', { class: 'muted' }, 'Budget crossings, agents paused by their budget and closed months, POSTed to your URL, '
            + 'signed, and retried with backoff until the receiver answers 2xx. A department\'s webhook hears its department; '
            + 'an administrators\' webhook every department.'), secret, form, list), log);

    async function refresh() {
        const webhooks = await api('/api/billing/webhooks');
        list.replaceChildren(table([
            { label: 'URL', value: (w) => el('span', { title: w.description || '' }, w.url) },
            { label: 'Department', value: (w) => w.departmentId ? departmentName(w.departmentId) : 'every department' },
            { label: 'Events', value: (w) => w.eventKinds.join(' ') }, { label: 'Format', value: (w) => w.format },
            { label: 'Secret', value: (w) => w.secretHint },
            { label: 'Status', value: (w) => webhookBadge(w.active ? 'ACTIVE' : 'INACTIVE') },
            { label: 'Actions', value: (w) => el('div', { class: 'actions' },
                w.active ? el('button', { 'data-testid': `test-webhook-${w.id}`, onclick: action(async () => {
                    await api(`/api/billing/webhooks/${w.id}/test`, { method: 'POST' });
                    showNotice('Test delivery queued');
                    await deliveries(w);
                }) }, 'send test') : null,
                el('button', { 'data-testid': `webhook-log-${w.id}`, onclick: action(() => deliveries(w)) }, 'deliveries'),
                el('button', { onclick: action(async () => {
                    await api(`/api/billing/webhooks/${w.id}`, { method: 'PUT', body: { url: w.url, eventKinds: w.eventKinds,
                        format: w.format, description: w.description || undefined, active: !w.active } });
                    await refresh();
                }) }, w.active ? 'deactivate' : 'activate'),
                el('button', { class: 'danger', onclick: action(async () => {
                    if (!confirm(`Delete the webhook to ${w.url} and its delivery log?`)) return;
                    await api(`/api/billing/webhooks/${w.id}`, { method: 'DELETE' });
                    log.replaceChildren();
                    await refresh();
                }) }, 'delete')) },
        ], webhooks, 'webhooks-table'));
    }

    async function deliveries(webhook) {
        const attempt = (a) => `#${a.attempt} ${new Date(a.startedAt).toLocaleTimeString()} · `
            + `${a.httpStatus ? `HTTP ${a.httpStatus}` : a.error} · ${number(a.durationMs)} ms`;
        const shown = await api(`/api/billing/webhooks/${webhook.id}/deliveries`);
        log.replaceChildren(el('div', { class: 'card', 'data-testid': 'webhook-deliveries' },
            el('h2', {}, `Deliveries to ${webhook.url}`),
            table([
                { label: 'Created', value: (d) => new Date(d.createdAt).toLocaleString() },
                { label: 'Event', value: (d) => el('span', { title: d.body }, d.event) },
                { label: 'Status', value: (d) => webhookBadge(d.status) },
                { label: 'Attempts', value: (d) => el('div', {}, d.attemptLog.map((a) => el('div', {}, attempt(a)))) },
                { label: 'Next try', value: (d) => d.nextAttemptAt && d.status === 'PENDING' ? new Date(d.nextAttemptAt).toLocaleTimeString() : '' },
            ], shown, 'webhook-deliveries-table'),
            el('button', { onclick: action(() => deliveries(webhook)) }, 'Refresh')));
        log.scrollIntoView();
    }

    await refresh();
}

PAGES.webhooks = webhooksPage;

// ---------- single sign-on: OpenID Connect, authorization code with PKCE (the console is a public client) ----------

function base64url(bytes) {
    return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText() {
    return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The console's own address, which the identity provider sends the person back to. */
function consoleUrl() {
    return `${location.origin}/console/`;
}

/** Sends the person to the identity provider; it comes back to consoleUrl() with a code. */
async function startSingleSignOn(settings) {
    const discovery = await fetch(`${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!discovery.ok) throw new Error(`The identity provider did not answer (${discovery.status})`);
    const provider = await discovery.json();
    const verifier = randomText();
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const sent = { verifier, state: randomText(), tokenEndpoint: provider.token_endpoint, clientId: settings.clientId };
    sessionStorage.setItem(SSO, JSON.stringify(sent));
    const query = new URLSearchParams({
        response_type: 'code', client_id: settings.clientId, redirect_uri: consoleUrl(), scope: settings.scope,
        state: sent.state, code_challenge: challenge, code_challenge_method: 'S256',
    });
    location.assign(`${provider.authorization_endpoint}?${query}`);
}

/** Back from the identity provider: the code for an access token (checked against the state we sent). */
async function finishSingleSignOn(params) {
    const sent = JSON.parse(sessionStorage.getItem(SSO) || 'null');
    sessionStorage.removeItem(SSO);
    history.replaceState(null, '', consoleUrl());
    if (params.get('error')) throw new Error(`Single sign-on failed: ${params.get('error_description') || params.get('error')}`);
    if (!sent || sent.state !== params.get('state')) throw new Error('Single sign-on failed: an answer this tab did not ask for.');
    const response = await fetch(sent.tokenEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
            grant_type: 'authorization_code', code: params.get('code'), redirect_uri: consoleUrl(),
            client_id: sent.clientId, code_verifier: sent.verifier,
        }),
    });
    if (!response.ok) throw new Error(`Single sign-on failed: the identity provider refused the code (${response.status})`);
    const tokens = await response.json();
    await signIn(tokens.access_token);
}

/** Offers single sign-on when the gateway has an identity provider configured. */
async function offerSingleSignOn() {
    const response = await fetch('/api/sso');
    if (!response.ok) return;
    const settings = await response.json();
    const button = $('#sso-sign-in');
    button.hidden = false;
    button.addEventListener('click', action(() => startSingleSignOn(settings)));
}

// ---------- start ----------

document.addEventListener('DOMContentLoaded', () => {
    $('#sign-in-form').addEventListener('submit', action(async () => {
        await signIn($('#api-key').value.trim());
        $('#api-key').value = '';
    }));
    $('#sign-out').addEventListener('click', signOut);
    document.querySelectorAll('#nav button').forEach((b) => b.addEventListener('click', () => show(b.dataset.page)));
    const params = new URLSearchParams(location.search);
    if (params.has('code') || params.has('error')) {
        finishSingleSignOn(params).catch((error) => showError(error.message));
        return;
    }
    offerSingleSignOn().catch(() => { /* no single sign-on: API keys only */ });
    const saved = sessionStorage.getItem(KEY);
    if (saved) signIn(saved).catch((error) => showError(error.message));
});
