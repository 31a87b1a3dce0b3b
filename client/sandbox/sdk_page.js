(a) => {
  const norm = s => (s || '').replace(/\s+/g, ' ').trim().toLowerCase();
  const docs = () => {
    const out = [];
    const add = d => { out.push(d); for (const f of d.querySelectorAll('iframe,frame')) { try { if (f.contentDocument) add(f.contentDocument); } catch (e) {} } };
    add(document);
    return out;
  };
  const all = sel => docs().flatMap(d => [...d.querySelectorAll(sel)]);
  const vis = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
  const label = el => norm(el.getAttribute('aria-label') || (el.labels && el.labels.length ? [...el.labels].map(l => l.innerText).join(' ') : '') || el.placeholder || el.name || el.id || '');
  const textOf = el => norm(el.innerText || el.value || el.getAttribute('aria-label') || '');
  const goal = norm((a.intention || '') + ' ' + (a.prompt || ''));
  const bodyText = docs().map(d => d.body ? d.body.innerText : '').join('\n');
  const cssPath = el => {
    if (el.id) return '#' + CSS.escape(el.id);
    const parts = [];
    while (el && el.nodeType === 1 && el !== el.ownerDocument.documentElement) {
      let i = 1, s = el;
      while ((s = s.previousElementSibling)) if (s.tagName === el.tagName) i++;
      parts.unshift(el.tagName.toLowerCase() + ':nth-of-type(' + i + ')');
      el = el.parentElement;
    }
    return 'html > ' + parts.join(' > ');
  };
  const bySel = () => { if (!a.selector) return null; try { return all(a.selector.replace(/^css=/, ''))[0] || null; } catch (e) { return null; } };
  const mentioned = (els, f) => els.filter(vis).filter(e => { const t = f(e); return t && goal.includes(t); }).sort((x, y) => f(y).length - f(x).length)[0];
  const fire = el => { el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true })); };
  const CLICK = 'button,a[href],input[type=submit],input[type=button],[role=button],[role=link]';
  const FIELDS = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=checkbox]):not([type=radio]):not([type=file]),textarea';
  const quoted = s => [...(s || '').matchAll(/["'\u201c]([^"'\u201d]+)["'\u201d]/g)].map(m => m[1]);
  switch (a.type) {
    case 'ai_click':
    case 'ai_act': {
      const el = bySel() || mentioned(all(CLICK), textOf);
      if (!el) return a.type === 'ai_act' ? { result: null } : { error: 'Sandbox: no clickable element is named in the intention, and no selector matched' };
      const path = cssPath(el);
      el.click();
      return { result: a.type === 'ai_act' ? null : path };
    }
    case 'ai_input_text': {
      const el = bySel() || mentioned(all(FIELDS), label) || all(FIELDS).filter(vis).find(e => !e.value);
      if (!el) return { error: 'Sandbox: no text field is named in the intention, and no selector matched' };
      el.focus();
      el.value = a.value || '';
      fire(el);
      return { result: cssPath(el) };
    }
    case 'ai_select_option': {
      const el = bySel() || mentioned(all('select'), label) || all('select').filter(vis)[0];
      if (!el) return { error: 'Sandbox: no select element on the page' };
      const want = norm(a.value);
      const o = [...el.options].find(o => norm(o.value) === want || norm(o.text) === want);
      if (!o) return { error: 'Sandbox: no option matches the value' };
      el.value = o.value;
      fire(el);
      return { result: o.value };
    }
    case 'extract': {
      const props = a.schema && typeof a.schema === 'object' && a.schema.properties;
      if (!props) return { result: { text: bodyText.slice(0, 4000) } };
      const out = {};
      for (const [k, sch] of Object.entries(props)) {
        const q = CSS.escape(k);
        const el = all('#' + q + ',[name="' + q + '"],[data-field="' + q + '"],[itemprop="' + q + '"]')[0];
        let v = null;
        if (el) v = ('value' in el && el.tagName !== 'BUTTON' && el.tagName !== 'LI') ? el.value : el.innerText.trim();
        if (v === null) {
          const want = norm(k.replace(/_/g, ' '));
          for (const line of bodyText.split('\n')) {
            const m = /^([^:]{1,60}):\s*(.+)$/.exec(line.trim());
            if (m && norm(m[1]) === want) { v = m[2].trim(); break; }
          }
        }
        const t = sch && sch.type;
        if (v !== null && (t === 'number' || t === 'integer')) {
          const n = parseFloat(String(v).replace(/[^0-9.eE+-]/g, ''));
          v = isNaN(n) ? null : (t === 'integer' ? Math.trunc(n) : n);
        } else if (v !== null && t === 'boolean') v = /^(true|yes|on|1|checked)$/i.test(String(v));
        out[k] = v;
      }
      return { result: out };
    }
    case 'validate': {
      const qs = quoted(a.prompt);
      if (!qs.length) return { fallback: true };
      return { result: qs.every(q => bodyText.includes(q)) };
    }
    case 'locate_element': {
      const qs = quoted(a.prompt);
      const el = qs.length ? all('body *').filter(vis).reverse().find(e => (e.innerText || '').includes(qs[0])) : null;
      return el ? { result: cssPath(el) } : { fallback: true };
    }
  }
  return { fallback: true };
}
