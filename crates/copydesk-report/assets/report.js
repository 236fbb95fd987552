// copydesk report page. Renders tables and views on demand from the JSON
// block #copydesk-data. Document text only ever reaches the page through
// textContent, text nodes and setAttribute: never through innerHTML.
(function () {
  'use strict';

  var root = document.documentElement;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') node.className = v;
        else if (k === 'text') node.textContent = String(v);
        else if (k === 'onclick') node.addEventListener('click', v);
        else node.setAttribute(k, String(v));
      });
    }
    (children || []).forEach(function (c) { append(node, c); });
    return node;
  }

  function append(node, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(node, x); }); return; }
    node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function fmt(x, digits) { return typeof x === 'number' ? x.toFixed(digits === undefined ? 2 : digits) : ''; }

  function debounce(fn, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  function kindBadge(kind) { return el('span', { class: 'badge kind-' + kind, text: kind.replace('_', ' ') }); }

  function scoreBar(score) {
    var pct = Math.max(0, Math.min(100, Math.round((score || 0) * 100)));
    var bar = el('span', { class: 'scorebar', title: fmt(score) }, [el('span', { style: 'width:' + pct + '%' })]);
    return el('span', { class: 'score' }, [bar, fmt(score)]);
  }

  var data;
  try {
    data = JSON.parse(document.getElementById('copydesk-data').textContent);
  } catch (e) {
    root.setAttribute('data-error', 'data block unreadable');
    return;
  }
  var docs = data.docs || [], rels = data.rels || [], texts = data.texts || [];
  var pageSize = data.page_size || 50;

  // Relations each document takes part in, by row index.
  var relsOfDoc = {};
  rels.forEach(function (r, i) {
    [r.d, r.s].forEach(function (d) {
      if (d === null || d === undefined) return;
      (relsOfDoc[d] = relsOfDoc[d] || []).push(i);
    });
  });

  function docLabel(row) {
    var d = docs[row];
    return d ? d.id : '?';
  }

  function docLink(row, id) {
    if (row === null || row === undefined) return el('span', { class: 'mono', text: id });
    return el('a', { href: '#doc=' + row, class: 'mono', text: id });
  }

  // ---------------------------------------------------------------------
  // Tables: filter, sort, paginate; only one page of rows is in the DOM.

  function Table(host, spec) {
    this.host = host; this.spec = spec; this.page = 0;
    this.sortCol = null; this.sortDir = 1; this.rows = spec.rows.slice();
    var self = this;
    clear(host);
    this.controls = el('div', { class: 'controls' });
    spec.controls(this.controls, debounce(function () { self.page = 0; self.refresh(); }, 120));
    this.count = el('span', { class: 'count' });
    this.controls.appendChild(this.count);
    this.table = el('table', { class: 'list' });
    var thead = el('thead');
    var tr = el('tr');
    spec.columns.forEach(function (col, ci) {
      var th = el('th', { class: col.num ? 'num' : null });
      if (col.sort) {
        th.appendChild(el('button', {
          class: 'sort', type: 'button', text: col.title,
          onclick: function () {
            if (self.sortCol === ci) self.sortDir = -self.sortDir; else { self.sortCol = ci; self.sortDir = col.num ? -1 : 1; }
            self.page = 0; self.refresh();
          }
        }));
      } else {
        th.textContent = col.title;
      }
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    this.tbody = el('tbody');
    this.table.appendChild(thead); this.table.appendChild(this.tbody);
    this.pager = el('div', { class: 'pager' });
    host.appendChild(this.controls); host.appendChild(this.table); host.appendChild(this.pager);
    this.refresh();
  }

  Table.prototype.refresh = function () {
    var spec = this.spec, self = this;
    var rows = spec.rows.filter(spec.filter);
    if (this.sortCol !== null) {
      var key = spec.columns[this.sortCol].sort, dir = this.sortDir;
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === y) return a - b;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * dir;
      });
    }
    var pages = Math.max(1, Math.ceil(rows.length / pageSize));
    if (this.page >= pages) this.page = pages - 1;
    clear(this.tbody);
    rows.slice(this.page * pageSize, (this.page + 1) * pageSize).forEach(function (r) {
      var tr = el('tr', { onclick: function (ev) { if (ev.target.tagName !== 'A') location.hash = spec.link(r); } });
      spec.columns.forEach(function (col) {
        var td = el('td', { class: col.cls || (col.num ? 'num' : null) });
        append(td, col.render(r));
        tr.appendChild(td);
      });
      self.tbody.appendChild(tr);
    });
    if (rows.length === 0) {
      this.tbody.appendChild(el('tr', null, [el('td', { colspan: spec.columns.length, class: 'empty-note', text: spec.empty })]));
    }
    this.count.textContent = rows.length + ' of ' + spec.rows.length + ' shown';
    clear(this.pager);
    this.pager.appendChild(el('button', { type: 'button', text: '‹ Previous', disabled: this.page === 0 ? 'disabled' : null,
      onclick: function () { self.page -= 1; self.refresh(); } }));
    this.pager.appendChild(el('span', { text: 'page ' + (this.page + 1) + ' of ' + pages }));
    this.pager.appendChild(el('button', { type: 'button', text: 'Next ›', disabled: this.page + 1 >= pages ? 'disabled' : null,
      onclick: function () { self.page += 1; self.refresh(); } }));
  };

  function lower(s) { return (s || '').toLowerCase(); }

  function relationTable() {
    var host = document.getElementById('relations-table');
    if (!rels.length) { clear(host); host.appendChild(el('p', { class: 'empty-note', text: 'No relations were found.' })); return; }
    var q = '', kind = '', minScore = 0;
    new Table(host, {
      rows: rels.map(function (_, i) { return i; }),
      empty: 'No relation matches the filter.',
      controls: function (box, changed) {
        var search = el('input', { type: 'search', placeholder: 'Filter by id or headline…', 'aria-label': 'filter relations' });
        search.addEventListener('input', function () { q = lower(search.value); changed(); });
        var select = el('select', { 'aria-label': 'relation kind' }, [el('option', { value: '', text: 'all kinds' })]);
        ['verbatim', 'syndicated', 'spun', 'same_story'].forEach(function (k) {
          var n = rels.filter(function (r) { return r.kind === k; }).length;
          select.appendChild(el('option', { value: k, text: k.replace('_', ' ') + ' (' + n + ')' }));
        });
        select.addEventListener('change', function () { kind = select.value; changed(); });
        var score = el('input', { type: 'number', min: 0, max: 1, step: 0.05, value: 0, 'aria-label': 'minimum score', style: 'width:5rem' });
        score.addEventListener('input', function () { minScore = parseFloat(score.value) || 0; changed(); });
        append(box, [search, select, el('label', null, ['min score ', score])]);
      },
      filter: function (i) {
        var r = rels[i];
        if (kind && r.kind !== kind) return false;
        if (r.score < minScore) return false;
        if (!q) return true;
        var hd = r.d !== null && r.d !== undefined ? docs[r.d].h : '';
        var hs = r.s !== null && r.s !== undefined ? docs[r.s].h : '';
        return [r.doc, r.source, hd, hs].some(function (s) { return lower(s).indexOf(q) >= 0; });
      },
      link: function (i) { return 'rel=' + i; },
      columns: [
        { title: '#', num: true, sort: function (i) { return i; }, render: function (i) { return String(i + 1); } },
        { title: 'copy', cls: 'id', sort: function (i) { return rels[i].doc; }, render: function (i) { return docLink(rels[i].d, rels[i].doc); } },
        { title: 'source', cls: 'id', sort: function (i) { return rels[i].source; }, render: function (i) { return docLink(rels[i].s, rels[i].source); } },
        { title: 'kind', sort: function (i) { return rels[i].kind; }, render: function (i) { return kindBadge(rels[i].kind); } },
        { title: 'score', sort: function (i) { return rels[i].score; }, render: function (i) { return scoreBar(rels[i].score); } },
        { title: 'headline (copy)', cls: 'headline', render: function (i) { var d = rels[i].d; return d !== null && d !== undefined ? (docs[d].h || '') : ''; } },
        { title: 'substitutions', num: true, sort: function (i) { return rels[i].n[3]; }, render: function (i) { return String(rels[i].n[3]); } },
        { title: 'aligned / added / dropped', num: true, render: function (i) { var n = rels[i].n; return n[0] + ' / ' + n[1] + ' / ' + n[2]; } },
        { title: '', render: function (i) { return el('a', { href: '#rel=' + i, text: rels[i].rows ? 'compare' : 'details' }); } }
      ]
    });
  }

  function documentTable() {
    var host = document.getElementById('documents-table');
    if (!docs.length) { clear(host); host.appendChild(el('p', { class: 'empty-note', text: 'No documents were written.' })); return; }
    var q = '', spunOnly = false, relOnly = false;
    new Table(host, {
      rows: docs.map(function (_, i) { return i; }),
      empty: 'No document matches the filter.',
      controls: function (box, changed) {
        var search = el('input', { type: 'search', placeholder: 'Filter by id, headline, source or story…', 'aria-label': 'filter documents' });
        search.addEventListener('input', function () { q = lower(search.value); changed(); });
        var spun = el('input', { type: 'checkbox' });
        spun.addEventListener('change', function () { spunOnly = spun.checked; changed(); });
        var inRel = el('input', { type: 'checkbox' });
        inRel.addEventListener('change', function () { relOnly = inRel.checked; changed(); });
        append(box, [search, el('label', null, [spun, ' spun only']), el('label', null, [inRel, ' in a relation'])]);
      },
      filter: function (i) {
        var d = docs[i];
        if (spunOnly && !d.spun) return false;
        if (relOnly && !relsOfDoc[i]) return false;
        if (!q) return true;
        return [d.id, d.h, d.src, d.story].some(function (s) { return lower(s).indexOf(q) >= 0; });
      },
      link: function (i) { return 'doc=' + i; },
      columns: [
        { title: '#', num: true, sort: function (i) { return i; }, render: function (i) { return String(i + 1); } },
        { title: 'id', cls: 'id', sort: function (i) { return docs[i].id; }, render: function (i) { return docLink(i, docs[i].id); } },
        { title: 'headline', cls: 'headline', sort: function (i) { return docs[i].h || ''; }, render: function (i) { return docs[i].h || ''; } },
        { title: 'source', cls: 'id', render: function (i) { return docs[i].src; } },
        { title: 'words', num: true, sort: function (i) { return docs[i].w; }, render: function (i) { return String(docs[i].w); } },
        { title: 'spin', sort: function (i) { return docs[i].spin; }, render: function (i) {
          var d = docs[i];
          if (d.spin === undefined) return '';
          return [scoreBar(d.spin), d.spun ? [' ', el('span', { class: 'badge spun', text: 'spun' })] : null];
        } },
        { title: 'story', cls: 'id', sort: function (i) { return docs[i].story; }, render: function (i) { return docs[i].story || ''; } },
        { title: 'relations', num: true, sort: function (i) { return (relsOfDoc[i] || []).length; }, render: function (i) { return String((relsOfDoc[i] || []).length); } }
      ]
    });
  }

  // ---------------------------------------------------------------------
  // Marked text: `marks` are {a, b, make(text) -> node}, in UTF-16 offsets.

  function marked(text, start, end, marks) {
    var out = [], at = start;
    marks.filter(function (m) { return m.a >= start && m.b <= end && m.a <= m.b; })
      .sort(function (x, y) { return x.a - y.a || x.b - y.b; })
      .forEach(function (m) {
        if (m.a < at) return; // overlapping: keep the first
        if (m.a > at) out.push(document.createTextNode(text.slice(at, m.a)));
        out.push(m.make(text.slice(m.a, m.b)));
        at = m.b;
      });
    if (at < end) out.push(document.createTextNode(text.slice(at, end)));
    return out;
  }

  function legend(items) {
    return el('div', { class: 'legend' }, items.map(function (it) {
      return el('span', null, [el('span', { class: 'sw ' + it[0] }), it[1]]);
    }));
  }

  // Distinct "spun → original" pairs, most frequent first, with counts.
  function substitutionChips(subs) {
    var seen = {}, order = [];
    subs.forEach(function (s) {
      var key = s.spun + '\u0000' + s.original;
      if (!seen[key]) { seen[key] = { s: s, n: 0 }; order.push(key); }
      seen[key].n += 1;
    });
    order.sort(function (a, b) { return seen[b].n - seen[a].n; });
    var box = el('div', { class: 'subs', title: 'spun wording → original wording' });
    function chip(k) {
      var e = seen[k];
      return el('span', null, [e.s.spun, ' → ', e.s.original, e.n > 1 ? el('b', { text: ' ×' + e.n }) : null]);
    }
    var first = 16;
    order.slice(0, first).forEach(function (k) { box.appendChild(chip(k)); });
    if (order.length > first) {
      var more = el('button', { type: 'button', class: 'more', text: 'show all ' + order.length, onclick: function () {
        box.removeChild(more);
        order.slice(first).forEach(function (k) { box.appendChild(chip(k)); });
      } });
      box.appendChild(more);
    }
    return box;
  }

  function viewHead(title, facts) {
    var close = el('button', { type: 'button', text: 'Close ✕', onclick: function () { location.hash = ''; } });
    return el('div', { class: 'head' }, [el('div', null, [title, facts]), close]);
  }

  function textOf(row) {
    if (row === null || row === undefined || !docs[row]) return null;
    var t = docs[row].t;
    return t === null || t === undefined ? null : texts[t];
  }

  function renderRelation(i) {
    var r = rels[i];
    var view = el('div');
    var title = el('h2', null, ['Relation ', String(i + 1), ': ', kindBadge(r.kind)]);
    var facts = el('p', { class: 'facts' }, [
      'copy ', docLink(r.d, r.doc), ' ← source ', docLink(r.s, r.source), ' · score ', el('b', { text: fmt(r.score) }),
      ' · ', r.n[0] + ' aligned, ' + r.n[1] + ' added, ' + r.n[2] + ' dropped passages, ' + r.n[3] + ' substitutions'
    ]);
    view.appendChild(viewHead(title, facts));
    if (r.anchors && r.anchors.length) {
      view.appendChild(el('p', { class: 'facts' }, ['shared: ', r.anchors.join(' · ')]));
    }
    var src = textOf(r.s), copy = textOf(r.d);
    if (!r.rows || !src || !copy) {
      view.appendChild(el('p', { class: 'note', text: 'The texts of this relation are not embedded in the page ' +
        '(max_embedded_documents); see documents.jsonl and relations.jsonl.' }));
      return view;
    }
    if (r.subs.length) view.appendChild(substitutionChips(r.subs));
    view.appendChild(legend([
      ['same', 'aligned passage'], ['added', 'only in the copy (added)'], ['dropped', 'only in the source (dropped)'],
      ['spun', 'substituted wording in the copy (source wording struck through)'], ['orig', 'source wording that was replaced']
    ]));
    var srcMarks = r.subs.map(function (s) {
      return { a: s.s[0], b: s.s[1], make: function (t) { return el('mark', { class: 'orig', title: 'copy has: ' + s.spun, text: t }); } };
    });
    var copyMarks = r.subs.map(function (s) {
      return { a: s.d[0], b: s.d[1], make: function (t) {
        return el('span', { title: 'source has: ' + s.original }, [el('ins', { class: 'spun', text: t }), el('del', { class: 'was', text: s.original })]);
      } };
    });
    // Clauses added or dropped inside an aligned passage, marked in place.
    function inlineMarks(spans, cls, title) {
      return (spans || []).map(function (sp) {
        return { a: sp[0], b: sp[1], make: function (t) { return el('mark', { class: cls, title: title, text: t }); } };
      });
    }
    var srcRow = docs[r.s] || {}, copyRow = docs[r.d] || {};
    var pair = el('div', { class: 'pair' }, [
      el('div', { class: 'colhead' }, ['Source: ', el('span', { class: 'mono', text: r.source }), el('small', { text: srcRow.h || srcRow.src || '' })]),
      el('div', { class: 'colhead' }, ['Copy: ', el('span', { class: 'mono', text: r.doc }), el('small', { text: copyRow.h || copyRow.src || '' })])
    ]);
    var rows = r.rows.length ? r.rows : [{ kind: '=', doc: [0, copy.text.length], source: [0, src.text.length], similarity: null }];
    rows.forEach(function (row) {
      var left, right;
      if (row.source) {
        left = el('div', { class: 'cell' + (row.kind === '-' ? ' dropped' : '') }, marked(src.text, row.source[0], row.source[1],
          srcMarks.concat(inlineMarks(row.dropped, 'gone', 'only in the source (dropped)'))));
      } else {
        left = el('div', { class: 'cell empty', text: 'not in the source' });
      }
      if (row.doc) {
        right = el('div', { class: 'cell' + (row.kind === '+' ? ' added' : '') }, marked(copy.text, row.doc[0], row.doc[1],
          copyMarks.concat(inlineMarks(row.added, 'new', 'only in the copy (added)'))));
        if (row.kind === '=' && typeof row.similarity === 'number') {
          right.insertBefore(el('span', { class: 'sim', text: Math.round(row.similarity * 100) + '% same' }), right.firstChild);
        }
      } else {
        right = el('div', { class: 'cell empty', text: 'dropped from the copy' });
      }
      pair.appendChild(left); pair.appendChild(right);
    });
    view.appendChild(pair);
    return view;
  }

  function renderDocument(i) {
    var d = docs[i];
    var view = el('div');
    var title = el('h2', null, [d.h || d.id]);
    var facts = el('p', { class: 'facts' }, [el('span', { class: 'mono', text: d.id }), ' · ', d.src, ' · ', d.w + ' words']);
    view.appendChild(viewHead(title, facts));
    var related = relsOfDoc[i] || [];
    if (related.length) {
      view.appendChild(el('p', null, ['Relations: '].concat(related.slice(0, 50).map(function (ri) {
        var r = rels[ri];
        var other = r.d === i ? 'copy of ' + r.source : 'source of ' + r.doc;
        return el('a', { href: '#rel=' + ri, style: 'margin-right:.75rem' }, [kindBadge(r.kind), ' ', other]);
      }))));
    }
    var t = textOf(i);
    if (!t) {
      view.appendChild(el('p', { class: 'note', text: 'This document\u2019s text is not embedded in the page (max_embedded_documents); see documents.jsonl.' }));
      return view;
    }
    var m = t.meta || {};
    var meta = el('dl', { class: 'meta' });
    [['byline', m.byline], ['dateline', m.dateline], ['credit', m.credit], ['outlet', m.outlet], ['date', m.date], ['url', m.url]]
      .forEach(function (p) { if (p[1]) append(meta, [el('dt', { text: p[0] }), el('dd', { text: p[1] })]); });
    [['subheadlines', m.subheadlines], ['captions removed', m.captions], ['debris removed', m.debris]].forEach(function (p) {
      if (p[1] && p[1].length) append(meta, [el('dt', { text: p[0] }), el('dd', { text: p[1].map(function (x) { return '\u201c' + x + '\u201d'; }).join(' · ') })]);
    });
    if (t.layers && t.layers.length) {
      append(meta, [el('dt', { text: 'layers' }), el('dd', { text: t.layers.map(function (l) { return l[0] + ' ' + l[1]; }).join(' · ') })]);
    }
    view.appendChild(meta);
    var spin = t.spin;
    if (spin) {
      view.appendChild(el('h3', { text: 'Spin verdict' }));
      view.appendChild(el('p', null, [
        el('span', { class: 'badge ' + (spin.spun ? 'spun' : 'clean'), text: spin.spun ? 'spun' : 'not spun' }), ' score ', scoreBar(spin.score),
        spin.source ? [' · against source ', el('span', { class: 'mono', text: spin.source })] : null,
        ' · ', spin.subs.length + ' substitutions'
      ]));
      if (spin.subs.length) view.appendChild(substitutionChips(spin.subs));
      var spunMarks = spin.subs.map(function (s) {
        return { a: s.at[0], b: s.at[1], make: function (x) { return el('ins', { class: 'spun', title: 'original: ' + s.original, text: x }); } };
      });
      var repaired;
      if (typeof spin.repaired === 'string') {
        repaired = [document.createTextNode(spin.repaired)];
      } else {
        repaired = []; var at = 0;
        spin.subs.forEach(function (s) {
          if (s.at[0] < at) return;
          repaired.push(document.createTextNode(t.text.slice(at, s.at[0])));
          repaired.push(el('ins', { class: 'restored', title: 'was: ' + s.spun, text: s.original }));
          at = s.at[1];
        });
        repaired.push(document.createTextNode(t.text.slice(at)));
      }
      view.appendChild(legend([['spun', 'spun wording (hover for the original)'], ['added', 'restored wording']]));
      view.appendChild(el('div', { class: 'twocol' }, [
        el('div', null, [el('h3', { text: 'Text' }), el('div', { class: 'text' }, marked(t.text, 0, t.text.length, spunMarks))]),
        el('div', null, [el('h3', { text: 'Repaired text' }), el('div', { class: 'text' }, repaired)])
      ]));
    } else {
      view.appendChild(el('h3', { text: 'Text' }));
      view.appendChild(el('div', { class: 'text', text: t.text }));
    }
    if (t.quotes && t.quotes.length) {
      view.appendChild(el('h3', { text: 'Quotes' }));
      view.appendChild(el('ul', { class: 'quotes' }, t.quotes.map(function (q) {
        return el('li', null, [q[0], ' ', el('span', { class: 'speaker', text: '— ' + (q[1] || 'speaker unknown') })]);
      })));
    }
    if (t.prov !== undefined && t.prov !== null) {
      view.appendChild(el('h3', { text: 'Provenance' }));
      view.appendChild(el('pre', { class: 'json', text: JSON.stringify(t.prov, null, 2) }));
    }
    return view;
  }

  // ---------------------------------------------------------------------
  // Routing: #rel=N and #doc=N open a view; anything else closes it.

  function route() {
    var host = document.getElementById('view');
    var h = location.hash.replace(/^#/, '');
    var m = /^(rel|doc)=(\d+)$/.exec(h);
    clear(host);
    if (!m) { host.hidden = true; return; }
    var i = parseInt(m[2], 10);
    var node = null;
    if (m[1] === 'rel' && i < rels.length) node = renderRelation(i);
    if (m[1] === 'doc' && i < docs.length) node = renderDocument(i);
    if (!node) { host.hidden = true; return; }
    host.appendChild(node);
    host.hidden = false;
    window.scrollTo(0, 0);
  }

  try {
    relationTable();
    documentTable();
    window.addEventListener('hashchange', route);
    route();
    root.setAttribute('data-ready', '1');
  } catch (e) {
    root.setAttribute('data-error', String(e && e.message || e));
    throw e;
  }
})();
