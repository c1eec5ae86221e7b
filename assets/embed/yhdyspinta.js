/*! Yhdyspinta API embed: <yhdyspinta-counterparts municipality="297"> and
 * <yhdyspinta-networks municipality="844">. Served by the API at /embed/yhdyspinta.js.
 * No framework; Shadow DOM; colours from CSS custom properties; fi, sv and en.
 * Queries are persisted GET requests (hash first, the text only when the server asks),
 * so a CDN in front of the API can cache the answers. MIT OR Apache-2.0. */
(() => {
  'use strict';
  if (!window.customElements || customElements.get('yhdyspinta-counterparts')) return;

  // Replaced by the server at start: each document's text and SHA-256.
  const DOCS = __YHDYSPINTA_DOCUMENTS__;
  const script = document.currentScript;
  const API = script && script.src ? new URL('..', script.src).href : new URL('/', location.href).href;

  const KINDS = ['ADVISORY_BOARD', 'COMMITTEE', 'FORUM', 'NETWORK', 'PREPARATORY_BODY',
    'SERVICE_DISCUSSION', 'SERVICE_POINT', 'STEERING_GROUP', 'WORKING_GROUP'];
  const LEVELS = ['LEADERSHIP', 'INTERFACE', 'EVERYDAY', 'PARTICIPATION'];
  const strings = (s) => {
    const [counterparts, networks, loading, failed, unknown, level, municipality, county,
      none, noNetworks, convener, area, cadence, kind, calendar, email, phone, more, missing,
      levels, kinds] = s.split('|');
    const map = (keys, text) => Object.fromEntries(text.split(';').map((t, i) => [keys[i], t]));
    return { counterparts, networks, loading, failed, unknown, level, municipality, county,
      none, noNetworks, convener, area, cadence, kind, calendar, email, phone, more, missing,
      levels: map(LEVELS, levels), kinds: map(KINDS, kinds) };
  };
  const T = {
    fi: strings('Vastinparit|Verkostot|Ladataan…|Tietojen haku epäonnistui. Yritä myöhemmin uudelleen.|Kuntaa ei löytynyt kuntanumerolla|Taso|Kunta|Hyvinvointialue|Ei nimetty|Kunta ei ole yhdessäkään verkostossa.|Kokoonkutsuja|Alue|Kokoontuu|Tyyppi|Kokoukset kalenteriin|Sähköposti|Puhelin|Lisäksi verkostoja: |Kuntanumero puuttuu (municipality-attribuutti).|Johdon taso;Yhdyspintataso;Arjen taso;Osallistumisen taso|Neuvottelukunta;Toimikunta;Foorumi;Verkosto;Valmisteluelin;Palvelukeskustelu;Yhteinen palvelupiste;Johtoryhmä;Työryhmä'),
    sv: strings('Motparter|Nätverk|Laddar…|Uppgifterna kunde inte hämtas. Försök igen senare.|Ingen kommun hittades med kommunnumret|Nivå|Kommun|Välfärdsområde|Ingen utsedd|Kommunen deltar inte i något nätverk.|Sammankallande|Område|Sammanträder|Typ|Mötena i kalendern|E-post|Telefon|Fler nätverk: |Kommunnumret saknas (attributet municipality).|Ledningsnivå;Gränsytnivå;Vardagsnivå;Delaktighetsnivå|Delegation;Kommitté;Forum;Nätverk;Beredningsorgan;Servicediskussion;Gemensam serviceplats;Ledningsgrupp;Arbetsgrupp'),
    en: strings('Counterparts|Networks|Loading…|The data could not be loaded. Please try again later.|No municipality found with the code|Level|Municipality|Wellbeing services county|Nobody named|The municipality is in no network.|Convener|Area|Meets|Kind|Meetings to your calendar|E-mail|Phone|More networks: |The municipality code is missing (the municipality attribute).|Leadership level;Interface level;Everyday level;Participation level|Advisory board;Committee;Forum;Network;Preparatory body;Service discussion;Shared service point;Steering group;Working group'),
  };

  const CSS = `
:host{display:block;color:var(--yhdyspinta-text,inherit);background:var(--yhdyspinta-background,transparent);font:inherit;line-height:1.45}
:host([hidden]){display:none}
h2,h3,h4,h5,h6{color:var(--yhdyspinta-heading,inherit);margin:1em 0 .4em;line-height:1.25}
a{color:var(--yhdyspinta-link,#0b5394);text-decoration:underline}
a:focus-visible{outline:3px solid var(--yhdyspinta-focus,#1a5fb4);outline-offset:2px}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:0 0 1em}
th,td{text-align:left;vertical-align:top;padding:.45em .5em;border-bottom:1px solid var(--yhdyspinta-border,#b8b8b8);overflow-wrap:anywhere}
thead th{background:var(--yhdyspinta-header-background,#eef2f6);color:var(--yhdyspinta-header-text,inherit)}
ul{margin:0;padding:0;list-style:none}
li+li{margin-top:.5em}
.networks>li{border-top:1px solid var(--yhdyspinta-border,#b8b8b8);padding:.2em 0 .6em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.3em 0}
dt{font-weight:600}dd{margin:0}
.name{font-weight:600}
.muted{color:var(--yhdyspinta-muted,#595959)}
.status:empty{margin:0}
.error{color:var(--yhdyspinta-error,#a4000f);font-weight:600}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}`;
  let sheet = null;
  const adopt = (root) => {
    if ('adoptedStyleSheets' in root && window.CSSStyleSheet && 'replaceSync' in CSSStyleSheet.prototype) {
      if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(h('style', {}, CSS));
    }
  };

  // An element with attributes (false and null left out) and children (text or nodes).
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value != null && value !== false) node.setAttribute(key, value);
    }
    for (const child of children.flat(Infinity)) {
      if (child != null && child !== false) node.append(child);
    }
    return node;
  }
  // A name in the language the API says it is in, marked when it is not the page's.
  const named = (value, ui) => {
    const lang = (value.nameLanguage || 'FI').toLowerCase();
    return lang === ui ? value.name : h('span', { lang }, value.name);
  };
  // Free text the API keeps in Finnish only (titles, cadence), marked on other pages.
  const finnish = (text, ui) => (ui === 'fi' ? text : h('span', { lang: 'fi' }, text));

  async function getJson(url, signal) {
    const response = await fetch(url, { signal, credentials: 'omit', headers: { Accept: 'application/json' } });
    try { return await response.json(); } catch (e) { throw new Error(`HTTP ${response.status}`); }
  }
  // Automatic persisted queries over GET: the hash alone first; when the server does not
  // know it (no data, and an error that says so, or a server without a persisted-query
  // store that found no query), again with the document's text, which registers it.
  const UNKNOWN = ['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST'];
  async function query(api, doc, variables, signal) {
    const extensions = { persistedQuery: { version: 1, sha256Hash: doc.sha256 } };
    const url = new URL('graphql', api);
    url.search = new URLSearchParams({
      operationName: doc.name,
      variables: JSON.stringify(variables),
      extensions: JSON.stringify(extensions),
    });
    let body = await getJson(url, signal);
    const error = (body.errors && body.errors[0]) || {};
    const code = error.extensions && error.extensions.code;
    if (body.data == null && (UNKNOWN.includes(code) || error.message === 'PersistedQueryNotFound')) {
      url.searchParams.set('query', doc.query);
      body = await getJson(url, signal);
    }
    return body;
  }

  class Base extends HTMLElement {
    static get observedAttributes() { return ['municipality', 'lang', 'heading-level', 'api']; }
    constructor() {
      super();
      this.root = this.attachShadow({ mode: 'open' });
      adopt(this.root);
      this.status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
      this.content = h('div');
      this.wrap = h('section', {}, this.status, this.content);
      this.root.append(this.wrap);
    }
    connectedCallback() { this.schedule(); }
    attributeChangedCallback() { if (this.isConnected) this.schedule(); }
    disconnectedCallback() { if (this.abort) this.abort.abort(); }
    schedule() {
      if (this.pending) return;
      this.pending = true;
      queueMicrotask(() => { this.pending = false; this.load(); });
    }
    get ui() {
      const own = this.getAttribute('lang') || (this.parentElement && this.parentElement.closest('[lang]') || document.documentElement).lang || 'fi';
      const lang = own.slice(0, 2).toLowerCase();
      return T[lang] ? lang : 'en';
    }
    get level() {
      const level = parseInt(this.getAttribute('heading-level'), 10);
      return level >= 1 && level <= 5 ? level : 2;
    }
    heading(offset, attrs, ...children) { return h(`h${this.level + offset}`, attrs, ...children); }
    get api() { return this.getAttribute('api') ? new URL(this.getAttribute('api'), location.href).href : API; }
    async load() {
      const ui = this.ui;
      const t = T[ui];
      const code = (this.getAttribute('municipality') || '').trim();
      this.wrap.setAttribute('lang', ui);
      if (this.abort) this.abort.abort();
      this.content.replaceChildren();
      this.status.className = 'status';
      if (!code) { this.fail(t.missing); return; }
      const abort = (this.abort = new AbortController());
      this.wrap.setAttribute('aria-busy', 'true');
      this.status.textContent = t.loading;
      try {
        const body = await query(this.api, DOCS[this.doc], { code, lang: ui.toUpperCase() }, abort.signal);
        if (abort.signal.aborted) return;
        const errors = body.errors || [];
        if (body.data == null || errors.length) {
          const known = errors.some((e) => e.extensions && ['BAD_USER_INPUT', 'NOT_FOUND'].includes(e.extensions.code));
          this.fail(known ? `${t.unknown} ${code}.` : t.failed);
          return;
        }
        this.status.textContent = '';
        this.content.replaceChildren(...this.render(body.data, t, ui));
      } catch (error) {
        if (!abort.signal.aborted) this.fail(t.failed);
      } finally {
        if (!abort.signal.aborted) this.wrap.removeAttribute('aria-busy');
      }
    }
    fail(message) {
      this.status.className = 'status error';
      this.status.textContent = message;
    }
  }

  // One person of a side, with the sub-topics they are named for when not the pair's own.
  function person(entry, pairTopic, t, ui) {
    const p = entry.person;
    const topics = entry.topics.filter((topic) => topic.slug !== pairTopic.slug);
    const contacts = [];
    if (p.email) contacts.push(h('span', { class: 'vh' }, `${t.email}: `), h('a', { href: `mailto:${p.email}` }, p.email), ' ');
    if (p.phone) contacts.push(h('span', { class: 'vh' }, `${t.phone}: `), h('a', { href: `tel:${p.phone.replace(/[^+\d]/g, '')}` }, p.phone));
    return h('li', {},
      h('span', { class: 'name' }, p.name),
      p.title ? [', ', finnish(p.title, ui)] : null,
      h('br'), h('span', { class: 'muted' }, named(entry.organisation, ui)),
      topics.length ? [h('br'), topics.map((topic, i) => [i ? ', ' : '', named(topic, ui)])] : null,
      contacts.length ? [h('br'), contacts] : null);
  }

  // The representatives of one side, one entry per person.
  function side(reps, pairTopic, t, ui) {
    const people = new Map();
    for (const rep of reps) {
      const entry = people.get(rep.person.id) || { person: rep.person, organisation: rep.organisation, topics: [] };
      entry.topics.push(rep.topic);
      people.set(rep.person.id, entry);
    }
    if (!people.size) return h('span', { class: 'muted' }, t.none);
    return h('ul', {}, [...people.values()].map((entry) => person(entry, pairTopic, t, ui)));
  }

  class Counterparts extends Base {
    get doc() { return 'counterparts'; }
    render(data, t, ui) {
      const pairs = data.counterparts;
      const first = pairs[0];
      const out = [this.heading(0, {}, `${t.counterparts}: `, first ? named(first.municipality, ui) : this.getAttribute('municipality'))];
      const topics = new Map();
      for (const pair of pairs) {
        if (!topics.has(pair.topic.slug)) topics.set(pair.topic.slug, { topic: pair.topic, pairs: [] });
        topics.get(pair.topic.slug).pairs.push(pair);
      }
      let n = 0;
      for (const { topic, pairs: rows } of topics.values()) {
        const id = `t${n++}`;
        const municipality = rows[0].municipality;
        const county = municipality.county;
        out.push(this.heading(1, { id }, named(topic, ui)),
          h('table', { 'aria-labelledby': id },
            h('thead', {}, h('tr', {},
              h('th', { scope: 'col' }, t.level),
              h('th', { scope: 'col' }, named(municipality, ui)),
              h('th', { scope: 'col' }, county ? named(county, ui) : t.county))),
            h('tbody', {}, rows.map((pair) => h('tr', {},
              h('th', { scope: 'row' }, t.levels[pair.level] || pair.level),
              h('td', {}, side(pair.municipalityRepresentatives, topic, t, ui)),
              h('td', {}, side(pair.countyRepresentatives, topic, t, ui)))))));
      }
      return out;
    }
  }

  class Networks extends Base {
    get doc() { return 'networks'; }
    render(data, t, ui) {
      const { nodes, totalCount } = data.networks;
      const name = data.organisation ? named(data.organisation, ui) : this.getAttribute('municipality');
      const out = [this.heading(0, {}, `${t.networks}: `, name)];
      if (!nodes.length) return out.concat(h('p', {}, t.noNetworks));
      out.push(h('ul', { class: 'networks' }, nodes.map((network) => {
        const facts = [[t.kind, t.kinds[network.kind] || network.kind]];
        if (network.convener) facts.push([t.convener, named(network.convener, ui)]);
        else if (network.convenerNote) facts.push([t.convener, finnish(network.convenerNote, ui)]);
        if (network.area) facts.push([t.area, named(network.area, ui)]);
        if (network.cadence) facts.push([t.cadence, finnish(network.cadence, ui)]);
        const calendar = new URL(`calendar/networks/${encodeURIComponent(network.id)}.ics`, this.api);
        if (ui !== 'fi') calendar.search = `lang=${ui}`;
        return h('li', {},
          this.heading(1, {}, named(network, ui)),
          h('dl', {}, facts.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
          h('a', { href: calendar.href, type: 'text/calendar' }, t.calendar,
            h('span', { class: 'vh' }, ': ', named(network, ui))));
      })));
      if (totalCount > nodes.length) out.push(h('p', {}, `${t.more}${totalCount - nodes.length}`));
      return out;
    }
  }

  customElements.define('yhdyspinta-counterparts', Counterparts);
  customElements.define('yhdyspinta-networks', Networks);
})();
