// The console: a second client of the public API (nothing the SaaS frontend
// could not use), in plain JavaScript with no build step. Persian and
// right-to-left first, English on a switch. Pages are hash routes; every
// API call goes through `api()`, which refreshes the access token once on a
// 401 and turns error envelopes into messages next to the fields they name.
'use strict';

// ---------------------------------------------------------------- words
const WORDS = {
  fa: {
    brand: 'کمپین واتس‌اپ', login: 'ورود', signup: 'ثبت‌نام', logout: 'خروج', campaigns: 'کمپین‌ها',
    packages: 'بسته‌ها', subscription: 'اشتراک', admin: 'مدیریت', name: 'نام', email: 'ایمیل', phone: 'تلفن همراه',
    password: 'گذرواژه', otpCode: 'کد تأیید', sendCode: 'ارسال کد', withOtp: 'تأیید با پیامک', noAccount: 'حساب ندارید؟',
    haveAccount: 'حساب دارید؟', newCampaign: 'کمپین تازه', search: 'جستجو در عنوان', allStatuses: 'همه وضعیت‌ها',
    title: 'عنوان', message: 'متن پیام', interval: 'فاصله ارسال', preview: 'پیش‌نمایش', schedule: 'زمان‌بندی',
    scheduledAt: 'زمان شروع', timezone: 'منطقه زمانی', create: 'ساختن', save: 'ذخیره', prev: 'قبلی', next: 'بعدی',
    page: 'صفحه', recipients: 'گیرندگان', dropList: 'فایل اکسل گیرندگان را اینجا رها کنید یا انتخاب کنید',
    template: 'دانلود فایل نمونه', imported: 'وارد شد', skipped: 'رد شد', duplicates: 'تکراری', row: 'ردیف',
    value: 'مقدار', reason: 'دلیل', attachment: 'پیوست', remove: 'حذف', upload: 'بارگذاری', whatsapp: 'اتصال واتس‌اپ',
    getQr: 'دریافت کد QR', queuedQr: 'همهٔ مرورگرها مشغول‌اند؛ نوبت شما در صف: ', queuedQrAfter: '. کد QR به‌محض آزاد شدن یک مرورگر همین‌جا نمایش داده می‌شود.', scanHint: 'در گوشی: واتس‌اپ ← دستگاه‌های متصل ← اتصال دستگاه، و این کد را اسکن کنید.',
    waitingScan: 'در انتظار اسکن…', linked: 'متصل شد', simScan: 'اسکن با گوشی شبیه‌سازی‌شده', start: 'شروع',
    pause: 'توقف موقت', resume: 'ادامه', cancelSchedule: 'لغو زمان‌بندی', progress: 'پیشرفت', sent: 'ارسال‌شده',
    failed: 'ناموفق', delivered: 'تحویل‌شده', total: 'کل', events: 'رویدادها', report: 'گزارش',
    downloadReport: 'دانلود اکسل گزارش', downloadSelected: 'گزارش کمپین‌های انتخاب‌شده', deliveryRate: 'نرخ تحویل',
    live: 'زنده', offline: 'قطع — اتصال دوباره…', buy: 'خرید', price: 'قیمت', duration: 'مدت (روز)',
    messageLimit: 'سقف پیام', category: 'دسته', description: 'توضیح', status: 'وضعیت', active: 'فعال',
    inactive: 'غیرفعال', expiresAt: 'پایان', used: 'مصرف‌شده', remaining: 'باقی‌مانده', orders: 'سفارش‌ها',
    transactions: 'تراکنش‌ها', dashboard: 'داشبورد', users: 'کاربران', role: 'نقش', amount: 'مبلغ', date: 'تاریخ',
    excelTemplate: 'قالب اکسل', currentTemplate: 'قالب فعلی', none: '—', payOk: 'پرداخت موفق بود؛ بسته فعال شد.',
    payFailed: 'پرداخت انجام نشد.', retryIn: 'درخواست‌ها زیاد بود؛ دوباره امتحان کنید پس از (ثانیه):',
    sessionEnded: 'نشست شما تمام شد؛ دوباره وارد شوید.', networkError: 'ارتباط با سرور برقرار نشد.',
    totalUsers: 'کاربران', activeUsers: 'کاربران فعال', totalCampaigns: 'کمپین‌ها', runningCampaigns: 'در حال ارسال',
    totalRevenue: 'درآمد', totalTransactions: 'تراکنش‌ها', newPackage: 'بسته تازه', noItems: 'چیزی نیست.',
    details: 'جزئیات', edit: 'ویرایش', sample: 'علی', createdAt: 'ساخته شده', chooseFile: 'انتخاب فایل', ok: 'انجام شد',
    FIVE_SECONDS: '۵ ثانیه', TEN_SECONDS: '۱۰ ثانیه', TWENTY_SECONDS: '۲۰ ثانیه', DRAFT: 'پیش‌نویس', READY: 'آماده',
    RUNNING: 'در حال ارسال', COMPLETED: 'پایان‌یافته', PAUSED: 'متوقف', FAILED: 'ناموفق', CANCELLED: 'لغوشده',
    ACTIVE: 'فعال', PENDING: 'در انتظار', PAID: 'پرداخت‌شده', SUCCESS: 'موفق', FAILURE: 'ناموفق', INACTIVE: 'غیرفعال',
    BANNED: 'مسدود', USER: 'کاربر', ADMIN: 'مدیر', SUPER_ADMIN: 'مدیر ارشد',
  },
  en: {
    brand: 'WhatsApp campaigns', login: 'Log in', signup: 'Sign up', logout: 'Log out', campaigns: 'Campaigns',
    packages: 'Packages', subscription: 'Subscription', admin: 'Admin', name: 'Name', email: 'E-mail',
    phone: 'Mobile phone', password: 'Password', otpCode: 'Code', sendCode: 'Send code', withOtp: 'Verify by SMS',
    noAccount: 'No account?', haveAccount: 'Have an account?', newCampaign: 'New campaign', search: 'Search titles',
    allStatuses: 'All statuses', title: 'Title', message: 'Message', interval: 'Pause between messages',
    preview: 'Preview', schedule: 'Schedule', scheduledAt: 'Start at', timezone: 'Time zone', create: 'Create',
    save: 'Save', prev: 'Previous', next: 'Next', page: 'Page', recipients: 'Recipients',
    dropList: 'Drop the recipients Excel file here, or choose it', template: 'Download the template',
    imported: 'Imported', skipped: 'Skipped', duplicates: 'Duplicates', row: 'Row', value: 'Value', reason: 'Reason',
    attachment: 'Attachment', remove: 'Remove', upload: 'Upload', whatsapp: 'Link WhatsApp', getQr: 'Get a QR code',
    queuedQr: 'Every browser is busy; your place in line: ', queuedQrAfter: '. The QR code shows here as soon as one is free.',
    scanHint: 'On the phone: WhatsApp → Linked devices → Link a device, then scan this code.',
    waitingScan: 'Waiting for the scan…', linked: 'Linked', simScan: 'Scan with the simulated phone', start: 'Start',
    pause: 'Pause', resume: 'Resume', cancelSchedule: 'Cancel the schedule', progress: 'Progress', sent: 'Sent',
    failed: 'Failed', delivered: 'Delivered', total: 'Total', events: 'Events', report: 'Report',
    downloadReport: 'Download the Excel report', downloadSelected: 'Report of the selected campaigns',
    deliveryRate: 'Delivery rate', live: 'Live', offline: 'Disconnected — reconnecting…', buy: 'Buy', price: 'Price',
    duration: 'Duration (days)', messageLimit: 'Message limit', category: 'Category', description: 'Description',
    status: 'Status', active: 'Active', inactive: 'Inactive', expiresAt: 'Ends', used: 'Used', remaining: 'Remaining',
    orders: 'Orders', transactions: 'Transactions', dashboard: 'Dashboard', users: 'Users', role: 'Role',
    amount: 'Amount', date: 'Date', excelTemplate: 'Excel template', currentTemplate: 'Current template', none: '—',
    payOk: 'Payment succeeded; the package is active.', payFailed: 'The payment did not go through.',
    retryIn: 'Too many requests; try again in (seconds):', sessionEnded: 'Your session ended; please log in again.',
    networkError: 'Could not reach the server.', totalUsers: 'Users', activeUsers: 'Active users',
    totalCampaigns: 'Campaigns', runningCampaigns: 'Sending now', totalRevenue: 'Revenue',
    totalTransactions: 'Transactions', newPackage: 'New package', noItems: 'Nothing here.', details: 'Details',
    edit: 'Edit', sample: 'Ali', createdAt: 'Created', chooseFile: 'Choose a file', ok: 'Done',
    FIVE_SECONDS: '5 seconds', TEN_SECONDS: '10 seconds', TWENTY_SECONDS: '20 seconds', DRAFT: 'Draft',
    READY: 'Ready', RUNNING: 'Running', COMPLETED: 'Completed', PAUSED: 'Paused', FAILED: 'Failed',
    CANCELLED: 'Cancelled', ACTIVE: 'Active', PENDING: 'Pending', PAID: 'Paid', SUCCESS: 'Success',
    FAILURE: 'Failure', INACTIVE: 'Inactive', BANNED: 'Banned', USER: 'User', ADMIN: 'Admin', SUPER_ADMIN: 'Super admin',
  },
};
let lang = localStorage.getItem('lang') || 'fa';
const t = (key) => WORDS[lang][key] ?? WORDS.en[key] ?? key;
const locale = () => (lang === 'fa' ? 'fa-IR-u-ca-persian' : 'en-GB');
const fmtDate = (iso) =>
  iso ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : t('none');
const fmtNum = (n) => (n == null ? t('none') : new Intl.NumberFormat(lang === 'fa' ? 'fa-IR' : 'en-GB').format(n));

// ---------------------------------------------------------------- DOM
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const $ = (sel, root = document) => root.querySelector(sel);
/// Replace an element's children, leaving out the `cond && el` that were false.
const put = (el, ...children) => el.replaceChildren(...children.flat().filter((c) => c != null && c !== false && c !== ''));
const main = () => $('#main');
function toast(text, bad) {
  const el = $('#toast');
  el.textContent = text;
  el.className = bad ? 'bad' : '';
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), 5000);
}

// ---------------------------------------------------------------- API
const auth = {
  get: () => JSON.parse(localStorage.getItem('auth') || 'null'),
  set: (value) => (value ? localStorage.setItem('auth', JSON.stringify(value)) : localStorage.removeItem('auth')),
};
let config = { simulatorUrl: null, apiBase: '' };

class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body?.message || `HTTP ${status}`);
    Object.assign(this, { status, code: body?.code, errors: body?.errors || [], retryAfter });
  }
}

async function refreshToken() {
  const a = auth.get();
  if (!a?.refreshToken) return false;
  refreshToken.pending ||= fetch(config.apiBase + '/api/refresh/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: a.refreshToken }),
  })
    .then(async (r) => {
      if (!r.ok) return false;
      const body = await r.json();
      auth.set({ ...a, accessToken: body.accessToken, refreshToken: body.refreshToken || a.refreshToken });
      return true;
    })
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshToken.pending = null)));
  return refreshToken.pending;
}

/// `api('GET', '/api/x')`; `body` is JSON, or FormData for uploads;
/// `{blob: true}` answers a Blob (downloads).
async function api(method, path, body, opts = {}, retried = false) {
  const headers = {};
  const a = auth.get();
  if (a?.accessToken) headers.authorization = 'Bearer ' + a.accessToken;
  let payload = body;
  if (body && !(body instanceof FormData)) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let r;
  try {
    r = await fetch(config.apiBase + path, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, { message: t('networkError') });
  }
  if (r.status === 401 && a && !retried && (await refreshToken())) return api(method, path, body, opts, true);
  if (r.status === 401 && a) {
    auth.set(null);
    toast(t('sessionEnded'), true);
    go('#/login');
    throw new ApiError(401, { message: t('sessionEnded') });
  }
  if (!r.ok) {
    const data = await r.json().catch(() => null);
    const retryAfter = r.headers.get('retry-after');
    if (r.status === 429) {
      throw new ApiError(429, { ...data, message: `${t('retryIn')} ${retryAfter || '?'}` }, retryAfter);
    }
    throw new ApiError(r.status, data);
  }
  if (opts.blob) return { blob: await r.blob(), name: fileName(r.headers.get('content-disposition')) };
  return r.json();
}
const fileName = (cd) => decodeURIComponent((/filename\*=UTF-8''([^;]+)/.exec(cd || '') || /filename="?([^";]+)/.exec(cd || '') || [])[1] || 'report.xlsx');
function save({ blob, name }) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/// Show an error: each `errors[]` entry next to the input it names, the
/// rest (and the message) at the form's top.
function showError(form, err) {
  for (const old of form.querySelectorAll('.field-error, .form-error')) old.remove();
  const loose = [];
  for (const e of err.errors || []) {
    const input = form.querySelector(`[name="${CSS.escape(e.field || '')}"]`);
    if (input) input.closest('label, .field')?.append(h('small', { class: 'field-error', 'data-field': e.field }, e.message));
    else loose.push(`${e.field}: ${e.message}`);
  }
  if (!(err.errors || []).length || loose.length) {
    form.prepend(h('p', { class: 'form-error', role: 'alert' }, [err.message, ...loose].join(' — ')));
  }
}
const clearErrors = (form) => form.querySelectorAll('.field-error, .form-error').forEach((e) => e.remove());

/// A form whose submit calls `action(values)`; errors land on the form.
function form(fields, submitLabel, action, extra) {
  const f = h('form', { class: 'card', novalidate: true }, fields, extra, h('button', { type: 'submit' }, submitLabel));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(f);
    const button = f.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await action(Object.fromEntries(new FormData(f)), f);
    } catch (err) {
      showError(f, err);
    } finally {
      button.disabled = false;
    }
  });
  return f;
}
const field = (name, label, attrs = {}) =>
  h('label', { class: 'field' }, h('span', {}, label), attrs.tag === 'textarea'
    ? h('textarea', { name, rows: 4, ...attrs, tag: null })
    : h('input', { name, type: 'text', ...attrs }));
function select(name, options, value, attrs = {}) {
  return h('select', { name, ...attrs }, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

// ---------------------------------------------------------------- shell
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}
let leave = []; // what the current page must stop when another opens
function page(title, ...content) {
  document.title = `${title} · ${t('brand')}`;
  put(main(), h('h1', {}, title), ...content);
}
function header() {
  const a = auth.get();
  const link = (hash, key) => h('a', { href: hash, class: location.hash.startsWith(hash) ? 'on' : null }, t(key));
  const isAdmin = a && ['ADMIN', 'SUPER_ADMIN'].includes(a.user?.role);
  put($('#top'), 
    h('nav', {},
      h('a', { href: '#/campaigns', class: 'brand' }, t('brand')),
      a ? [link('#/campaigns', 'campaigns'), link('#/packages', 'packages'), link('#/subscription', 'subscription'),
        isAdmin && link('#/admin', 'admin')] : [link('#/login', 'login'), link('#/signup', 'signup')],
      h('span', { class: 'grow' }),
      h('button', { class: 'link', id: 'lang', onclick: () => setLang(lang === 'fa' ? 'en' : 'fa') },
        lang === 'fa' ? 'English' : 'فارسی'),
      a && h('button', { class: 'link', id: 'logout', onclick: logout }, t('logout'))));
}
function setLang(next) {
  lang = next;
  localStorage.setItem('lang', lang);
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'fa' ? 'rtl' : 'ltr';
  route();
}
async function logout() {
  const a = auth.get();
  if (a) api('POST', '/api/auth/logout', { refreshToken: a.refreshToken }).catch(() => {});
  auth.set(null);
  go('#/login');
}

const ROUTES = [
  [/^#\/login$/, loginPage, false],
  [/^#\/signup$/, signupPage, false],
  [/^#\/campaigns$/, campaignsPage],
  [/^#\/campaigns\/new$/, newCampaignPage],
  [/^#\/campaigns\/(\d+)$/, campaignPage],
  [/^#\/packages$/, packagesPage],
  [/^#\/subscription$/, subscriptionPage],
  [/^#\/payment-result$/, paymentResultPage],
  [/^#\/admin$/, adminDashboardPage],
  [/^#\/admin\/users$/, adminUsersPage],
  [/^#\/admin\/packages$/, adminPackagesPage],
  [/^#\/admin\/transactions$/, adminTransactionsPage],
  [/^#\/admin\/template$/, adminTemplatePage],
];
async function route() {
  leave.forEach((stop) => stop());
  leave = [];
  // The payment gateway sends the buyer back to /console/payment/result?…
  if (location.pathname.endsWith('/payment/result') && !location.hash) {
    history.replaceState(null, '', '/console/' + location.search + '#/payment-result');
  }
  if (!location.hash) history.replaceState(null, '', auth.get() ? '#/campaigns' : '#/login');
  const hash = location.hash;
  const found = ROUTES.find(([re]) => re.test(hash));
  if (!found) return go('#/campaigns');
  const [re, render, needsLogin = true] = found;
  if (needsLogin && !auth.get()) return go('#/login');
  header();
  document.body.dataset.page = hash.replace(/\d+/g, 'id');
  try {
    await render(...re.exec(hash).slice(1));
  } catch (err) {
    if (err.status !== 401) main().append(h('p', { class: 'form-error', role: 'alert' }, err.message));
  }
}

// ---------------------------------------------------------------- auth pages
function loginPage() {
  page(t('login'),
    form([field('email', t('email'), { type: 'email', autocomplete: 'username' }),
      field('password', t('password'), { type: 'password', autocomplete: 'current-password' })], t('login'),
    async (v) => {
      auth.set(null); // a wrong password is a 401 to show, not a session to refresh
      const r = await api('POST', '/api/user/login', v);
      auth.set({ accessToken: r.accessToken, refreshToken: r.refreshToken, user: r.user });
      go('#/campaigns');
    }),
    h('p', {}, t('noAccount'), ' ', h('a', { href: '#/signup' }, t('signup'))));
}

function signupPage() {
  const otp = h('input', { type: 'checkbox', name: 'withOtp' });
  const code = field('otpCode', t('otpCode'), { inputmode: 'numeric', autocomplete: 'one-time-code' });
  const send = h('button', { type: 'button', class: 'secondary' }, t('sendCode'));
  const otpBox = h('div', { class: 'field', hidden: true }, code, send);
  otp.addEventListener('change', () => (otpBox.hidden = !otp.checked));
  const f = form([field('name', t('name'), { autocomplete: 'name' }),
    field('email', t('email'), { type: 'email', autocomplete: 'email' }),
    field('phone', t('phone'), { type: 'tel', autocomplete: 'tel', placeholder: '09123456789' }),
    field('password', t('password'), { type: 'password', autocomplete: 'new-password' }),
    h('label', { class: 'check' }, otp, t('withOtp')), otpBox], t('signup'),
  async (v) => {
    const body = { name: v.name, email: v.email, phone: v.phone, password: v.password };
    if (otp.checked) await api('POST', '/api/user/register', { ...body, otpCode: v.otpCode });
    else await api('POST', '/api/user/register-simple', body);
    const r = await api('POST', '/api/user/login', { email: v.email, password: v.password });
    auth.set({ accessToken: r.accessToken, refreshToken: r.refreshToken, user: r.user });
    go('#/campaigns');
  });
  send.addEventListener('click', async () => {
    clearErrors(f);
    const phone = f.querySelector('[name=phone]').value;
    try {
      await api('POST', '/api/auth/request-otp', { target: phone, channel: 'SMS', purpose: 'REGISTER' });
      toast(t('ok'));
    } catch (err) {
      showError(f, { ...err, errors: err.errors.map((e) => (e.field === 'target' ? { ...e, field: 'phone' } : e)) });
    }
  });
  page(t('signup'), f, h('p', {}, t('haveAccount'), ' ', h('a', { href: '#/login' }, t('login'))));
}

// ---------------------------------------------------------------- campaigns
const STATUSES = ['DRAFT', 'READY', 'RUNNING', 'PAUSED', 'COMPLETED', 'FAILED', 'CANCELLED'];
const badge = (status) => h('span', { class: `badge s-${status}`, 'data-status': status }, t(status));

function pager(p, onPage) {
  const pages = p.totalPages || Math.max(1, Math.ceil(p.total / p.limit));
  return h('div', { class: 'pager' },
    h('button', { class: 'secondary', disabled: p.page <= 1, onclick: () => onPage(p.page - 1) }, t('prev')),
    h('span', {}, `${t('page')} ${fmtNum(p.page)} / ${fmtNum(pages)}`),
    h('button', { class: 'secondary', disabled: p.page >= pages, onclick: () => onPage(p.page + 1) }, t('next')));
}

async function campaignsPage() {
  const state = { page: 1, search: '', status: '' };
  const list = h('div', { id: 'campaign-list' });
  const selected = new Set();
  const multi = h('button', { class: 'secondary', disabled: true, onclick: async () => {
    try { save(await api('POST', '/api/campaigns/reports/download-multiple', { campaignIds: [...selected] }, { blob: true })); }
    catch (err) { toast(err.message, true); }
  } }, t('downloadSelected'));
  async function load() {
    const q = new URLSearchParams({ page: state.page, limit: 10, ...(state.search && { search: state.search }),
      ...(state.status && { status: state.status }) });
    const r = await api('GET', '/api/campaigns?' + q);
    put(list, r.campaigns.length ? h('div', { class: 'rows' }, r.campaigns.map((c) => h('div', { class: 'row', 'data-campaign': c.id },
      h('input', { type: 'checkbox', 'aria-label': t('report'), checked: selected.has(c.id), onchange: (e) => {
        e.target.checked ? selected.add(c.id) : selected.delete(c.id);
        multi.disabled = !selected.size;
      } }),
      h('a', { href: `#/campaigns/${c.id}`, class: 'grow' }, c.title || `#${c.id}`),
      badge(c.status),
      h('span', { class: 'muted' }, `${fmtNum(c.sentCount)}/${fmtNum(c.totalRecipients)}`),
      h('span', { class: 'muted small' }, fmtDate(c.createdAt))))) : h('p', { class: 'muted' }, t('noItems')),
    pager(r.pagination, (n) => { state.page = n; load(); }));
  }
  let timer;
  const search = h('input', { type: 'search', name: 'search', placeholder: t('search'), oninput: (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.search = e.target.value.trim(); state.page = 1; load(); }, 300);
  } });
  const status = select('status', [['', t('allStatuses')], ...STATUSES.map((s) => [s, t(s)])], '', {
    onchange: (e) => { state.status = e.target.value; state.page = 1; load(); } });
  page(t('campaigns'), h('div', { class: 'toolbar' }, h('a', { href: '#/campaigns/new', class: 'button' }, t('newCampaign')),
    search, status, multi), list);
  await load();
}

/// The message as a recipient will see it: `{{name}}`, `{{name|fallback}}`,
/// other columns left visible, spintax `{a|b}` showing its first choice.
function renderMessage(text) {
  return text
    .replace(/\{\{\s*([^}|]+?)\s*(?:\|([^}]*))?\}\}/g, (_, key, fallback) =>
      /^(name|نام)$/i.test(key) ? t('sample') : fallback ?? `[${key}]`)
    .replace(/\{([^{}]*\|[^{}]*)\}/g, (_, choices) => choices.split('|')[0]);
}
const TIMEZONES = ['Asia/Tehran', 'UTC', 'Asia/Dubai', 'Europe/Istanbul', 'Europe/London', 'Europe/Berlin', 'America/New_York'];
/// The UTC instant of a wall-clock time (`YYYY-MM-DDTHH:MM`) in a zone.
function zonedToUtc(local, zone) {
  const asUtc = new Date(local + ':00Z');
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(asUtc).map((p) => [p.type, p.value]));
  const seen = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return new Date(asUtc.getTime() - (seen - asUtc.getTime())).toISOString();
}

function newCampaignPage() {
  const preview = h('div', { class: 'bubble', id: 'message-preview' });
  const message = field('message', t('message'), { tag: 'textarea', oninput: (e) => (preview.textContent = renderMessage(e.target.value)) });
  const scheduled = h('input', { type: 'checkbox', name: 'isScheduled' });
  const when = h('div', { class: 'field', hidden: true },
    field('scheduledAt', t('scheduledAt'), { type: 'datetime-local' }),
    h('label', { class: 'field' }, h('span', {}, t('timezone')), select('timezone', TIMEZONES.map((z) => [z, z]), 'Asia/Tehran')));
  scheduled.addEventListener('change', () => (when.hidden = !scheduled.checked));
  page(t('newCampaign'), form([field('title', t('title')), message,
    h('div', { class: 'field' }, h('span', {}, t('preview')), preview),
    h('label', { class: 'field' }, h('span', {}, t('interval')),
      select('interval', ['FIVE_SECONDS', 'TEN_SECONDS', 'TWENTY_SECONDS'].map((i) => [i, t(i)]), 'TEN_SECONDS')),
    h('label', { class: 'check' }, scheduled, t('schedule')), when], t('create'),
  async (v) => {
    const body = { title: v.title || undefined, message: v.message, interval: v.interval, timezone: v.timezone };
    if (scheduled.checked) {
      Object.assign(body, { isScheduled: true, sendType: 'SCHEDULED',
        scheduledAt: v.scheduledAt ? zonedToUtc(v.scheduledAt, v.timezone) : undefined });
    }
    const r = await api('POST', '/api/campaigns', body);
    go(`#/campaigns/${r.campaign.id}`);
  }));
}

// ---------------------------------------------------------------- one campaign
async function campaignPage(id) {
  const view = { campaign: null };
  const head = h('div', { class: 'toolbar', id: 'campaign-head' });
  const counters = h('div', { class: 'counters', id: 'counters' });
  const bar = h('div', { class: 'bar-fill' });
  const barText = h('span', { id: 'percentage' });
  const events = h('ol', { class: 'events', id: 'events' });
  const liveState = h('span', { class: 'badge', id: 'live' }, t('offline'));
  const controls = h('div', { class: 'toolbar', id: 'controls' });
  const qrBox = h('div', { class: 'qr', id: 'qr' });
  const linkState = h('p', { id: 'link-state' });
  const reportBox = h('div', { id: 'report' });

  function progress(p) {
    const total = p.total ?? view.campaign.totalRecipients;
    const done = (p.sent ?? 0) + (p.failed ?? 0);
    const pct = p.percentage ?? (total ? Math.round((done * 100) / total) : 0);
    bar.style.width = Math.min(100, pct) + '%';
    barText.textContent = fmtNum(pct) + '%';
    barText.dataset.value = pct;
    put(counters, ...[['total', total], ['sent', p.sent], ['failed', p.failed], ['delivered', p.delivered]]
      .map(([k, n]) => h('div', { 'data-counter': k }, h('b', {}, fmtNum(n ?? 0)), h('span', {}, t(k)))));
  }
  function event(text) {
    events.prepend(h('li', {}, h('time', {}, new Intl.DateTimeFormat(locale(), { timeStyle: 'medium' }).format(new Date())), ' ', text));
    while (events.children.length > 20) events.lastChild.remove();
  }
  function linked(isConnected) {
    linkState.textContent = isConnected ? t('linked') : t('waitingScan');
    linkState.className = isConnected ? 'ok' : 'muted';
    linkState.dataset.connected = isConnected;
    if (isConnected) put(qrBox, );
  }
  const act = (path, label, cls) => h('button', { class: cls, 'data-action': path, onclick: async (e) => {
    e.target.disabled = true;
    try { show((await api('POST', `/api/campaigns/${id}/${path}`)).campaign); }
    catch (err) { toast(err.message, true); }
    finally { e.target.disabled = false; }
  } }, label);
  function show(partial) {
    const c = (view.campaign = { ...view.campaign, ...partial });
    put(head, h('h2', { class: 'grow' }, c.title || `#${c.id}`), badge(c.status));
    const s = c.status;
    put(controls, 
      ['READY', 'DRAFT'].includes(s) && !c.isScheduled && act('start', t('start')),
      s === 'RUNNING' && act('pause', t('pause'), 'secondary'),
      s === 'PAUSED' && act('resume', t('resume')),
      c.isScheduled && s === 'READY' && act('cancel-schedule', t('cancelSchedule'), 'secondary'));
    if (c.isScheduled && c.scheduledAt) controls.append(h('span', { class: 'muted' }, `${t('scheduledAt')}: ${fmtDate(c.scheduledAt)} (${c.timezone})`));
    progress({ total: c.totalRecipients, sent: c.sentCount, failed: c.failedCount, delivered: c.deliveredCount });
    linked(c.isConnected);
  }

  const r = await api('GET', `/api/campaigns/${id}`);
  view.campaign = r.campaign;

  // -- details: title and interval can change; the message is shown as sent
  const details = form([field('title', t('title'), { value: r.campaign.title || '' }),
    h('label', { class: 'field' }, h('span', {}, t('interval')),
      select('interval', ['FIVE_SECONDS', 'TEN_SECONDS', 'TWENTY_SECONDS'].map((i) => [i, t(i)]), r.campaign.interval)),
    h('div', { class: 'field' }, h('span', {}, t('message')), h('div', { class: 'bubble' }, renderMessage(r.campaign.message)))],
  t('save'), async (v) => {
    if (v.title !== (view.campaign.title || '')) show((await api('PUT', `/api/campaigns/${id}/title`, { title: v.title })).campaign);
    if (v.interval !== view.campaign.interval) show((await api('PUT', `/api/campaigns/${id}/interval`, { interval: v.interval })).campaign);
    toast(t('ok'));
  });

  // -- recipients
  const importResult = h('div', { id: 'import-result' });
  const listInput = h('input', { type: 'file', name: 'recipientsFile', id: 'recipients-file', accept: '.xlsx,.xls,.csv' });
  const listForm = h('form', { class: 'card' }, h('h3', {}, t('recipients')));
  async function importList(file) {
    clearErrors(listForm);
    const body = new FormData();
    body.append('recipientsFile', file, file.name);
    try {
      const r = await api('POST', `/api/campaigns/${id}/recipients`, body);
      put(importResult, h('p', { class: 'ok' }, `${t('imported')}: ${fmtNum(r.imported ?? r.recipientsCount)} · ${t('skipped')}: ${fmtNum(r.skipped ?? 0)} · ${t('duplicates')}: ${fmtNum(r.duplicates ?? 0)}`),
        (r.skippedRows || []).length ? h('table', { class: 'skipped' }, h('tr', {}, h('th', {}, t('row')), h('th', {}, t('value')), h('th', {}, t('reason'))),
          r.skippedRows.map((s) => h('tr', {}, h('td', {}, fmtNum(s.row)), h('td', {}, s.value), h('td', {}, s.reason)))) : null);
      show({ status: r.campaign.status, totalRecipients: r.campaign.totalRecipients });
    } catch (err) {
      showError(listForm, err);
    }
    listInput.value = '';
  }
  listInput.addEventListener('change', () => listInput.files[0] && importList(listInput.files[0]));
  const drop = h('label', { class: 'drop field', id: 'drop' }, h('span', {}, t('dropList')), listInput);
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files[0]) importList(e.dataTransfer.files[0]);
  });
  listForm.append(drop, h('a', { href: '#', onclick: async (e) => {
    e.preventDefault();
    save(await api('GET', '/api/campaigns/excel-template/download', null, { blob: true }));
  } }, t('template')), importResult);

  // -- attachment
  const attachForm = h('form', { class: 'card' }, h('h3', {}, t('attachment')));
  const attachInfo = h('div', { id: 'attachment-info' });
  function showAttachment(a) {
    put(attachInfo, a ? h('p', {}, `${a.originalName} (${fmtNum(Math.ceil(a.size / 1024))} KB) `,
      h('button', { type: 'button', class: 'link', onclick: async () => {
        try { await api('DELETE', `/api/campaigns/${id}/attachment`); showAttachment(null); } catch (err) { showError(attachForm, err); }
      } }, t('remove'))) : h('p', { class: 'muted' }, t('none')));
  }
  const attachInput = h('input', { type: 'file', name: 'attachment', id: 'attachment-file' });
  attachInput.addEventListener('change', async () => {
    clearErrors(attachForm);
    const body = new FormData();
    body.append('attachment', attachInput.files[0]);
    try { showAttachment((await api('POST', `/api/campaigns/${id}/attachment`, body)).attachment); }
    catch (err) { showError(attachForm, err); }
    attachInput.value = '';
  });
  attachForm.append(h('label', { class: 'field' }, h('span', {}, t('chooseFile')), attachInput), attachInfo);
  showAttachment(r.campaign.attachment);

  // -- WhatsApp link
  let lastRaw = null;
  function drawQr(q) {
    if (!q?.image) return;
    lastRaw = q.raw;
    put(qrBox, h('img', { src: q.image, alt: 'QR', id: 'qr-image', width: 240, height: 240 }),
      h('p', { class: 'muted small' }, t('scanHint')),
      config.simulatorUrl && h('button', { type: 'button', class: 'secondary', id: 'sim-scan', onclick: async (e) => {
        e.target.disabled = true;
        try { await api('POST', '/console/simulator/scan', { ref: lastRaw }); event(t('simScan')); }
        catch (err) { toast(err.message, true); e.target.disabled = false; }
      } }, t('simScan')));
  }
  let poll;
  const qrButton = h('button', { type: 'button', id: 'get-qr', onclick: async (e) => {
    e.target.disabled = true;
    try {
      const q = await api('POST', `/api/campaigns/${id}/qr-code`);
      if (q.isConnected) return show({ isConnected: true });
      // Queued (202): the QR arrives as a qr_code event when a browser frees.
      if (q.queued) put(qrBox, h('p', { class: 'muted', id: 'qr-queued' }, t('queuedQr') + fmtNum(q.position) + t('queuedQrAfter')));
      drawQr(q.qrCode);
      linked(false);
      clearInterval(poll);
      poll = setInterval(async () => {
        const c = await api('GET', `/api/campaigns/${id}/connection`).catch(() => null);
        if (c?.isConnected) { clearInterval(poll); show({ isConnected: true }); }
      }, 3000);
    } catch (err) { toast(err.message, true); }
    finally { e.target.disabled = false; }
  } }, t('getQr'));
  leave.push(() => clearInterval(poll));

  // -- report
  async function loadReport() {
    const rep = (await api('GET', `/api/campaigns/${id}/report`)).report || {};
    put(reportBox, h('dl', { class: 'figures' }, Object.entries(rep).filter(([, v]) => typeof v !== 'object' || v == null)
      .map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, /At$/.test(k) ? fmtDate(v) : typeof v === 'number' ? fmtNum(Math.round(v * 100) / 100) : v ?? t('none'))])));
  }

  page(t('details'), head,
    h('section', { class: 'card', id: 'progress' }, h('div', { class: 'toolbar' }, h('h3', { class: 'grow' }, t('progress')), liveState),
      h('div', { class: 'bar' }, bar), barText, counters, controls, h('h4', {}, t('events')), events),
    h('section', { class: 'card', id: 'whatsapp' }, h('h3', {}, t('whatsapp')), linkState, qrButton, qrBox),
    listForm, attachForm, details,
    h('section', { class: 'card' }, h('h3', {}, t('report')),
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'secondary', onclick: () => loadReport().catch((e) => toast(e.message, true)) }, t('report')),
        h('button', { type: 'button', id: 'download-report', onclick: async () => {
          try { save(await api('GET', `/api/campaigns/${id}/report/download`, null, { blob: true })); } catch (err) { toast(err.message, true); }
        } }, t('downloadReport'))), reportBox));
  show(r.campaign);
  liveEvents(id, { progress, event, drawQr, show, linked, liveState, loadReport });
}

/// The campaign's WebSocket, reconnecting with backoff until the page closes.
function liveEvents(id, ui) {
  let ws, closed = false, delay = 500, timer;
  function connect() {
    // Locally the gateway's /ws/campaigns; in AWS the WebSocket API's stage URL (config.json).
    const base = config.wsUrl || location.origin.replace(/^http/, 'ws') + '/ws/campaigns';
    ws = new WebSocket(`${base}?campaignId=${id}&token=${encodeURIComponent(auth.get()?.accessToken || '')}`);
    ws.onopen = () => { delay = 500; ui.liveState.textContent = t('live'); ui.liveState.className = 'badge ok'; };
    ws.onmessage = (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch { return; }
      const d = e.data || {};
      switch (e.type) {
        case 'progress_update': ui.progress(d.progress || {}); break;
        case 'campaign_update':
          ui.show({ status: d.status, title: d.title });
          if (d.progress) ui.progress(d.progress);
          break;
        case 'status_update':
          ui.event(d.message || d.status);
          if (d.status === 'ready' || /connected/i.test(d.message || '')) ui.linked(true);
          break;
        case 'qr_code': ui.drawQr(d.qrCode); ui.event('QR'); break;
        case 'error_update': ui.event('⚠ ' + d.error); break;
        case 'completion_update':
          ui.event(`${t('COMPLETED')}: ${t('sent')} ${fmtNum(d.report?.sentCount)}`);
          ui.show({ status: 'COMPLETED' });
          ui.progress({ total: d.report?.totalRecipients, sent: d.report?.sentCount, failed: d.report?.failedCount,
            delivered: d.report?.deliveredCount, percentage: 100 });
          ui.loadReport().catch(() => {});
          break;
        case 'reply_update': ui.event(`↩ ${d.phone}: ${d.text}`); break;
        default: if (e.type) ui.event(e.type);
      }
    };
    ws.onclose = () => {
      if (closed) return;
      ui.liveState.textContent = t('offline');
      ui.liveState.className = 'badge bad';
      // A fresh token (and the state missed meanwhile) before reconnecting.
      timer = setTimeout(async () => {
        const r = await api('GET', `/api/campaigns/${id}`).catch(() => null);
        if (closed) return;
        if (r) ui.show(r.campaign);
        connect();
      }, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }
  connect();
  leave.push(() => { closed = true; clearTimeout(timer); ws?.close(); });
}

// ---------------------------------------------------------------- packages, subscription
async function packagesPage() {
  const r = await api('GET', '/api/packages');
  page(t('packages'), h('div', { class: 'grid' }, r.packages.map((p) => {
    const buy = form([], t('buy'), async () => {
      const o = await api('POST', '/api/orders', { packageId: p.id });
      const pay = await api('POST', '/api/payments/request', { orderId: o.order.id });
      location.href = pay.paymentUrl;
    });
    buy.classList.remove('card');
    return h('div', { class: 'card', 'data-package': p.id }, h('h3', {}, p.title), h('p', { class: 'muted' }, p.description),
      h('p', {}, `${t('price')}: ${fmtNum(p.price)} · ${t('duration')}: ${fmtNum(p.duration)} · ${t('messageLimit')}: ${fmtNum(p.messageLimit)}`), buy);
  })));
}

function paymentResultPage() {
  const q = new URLSearchParams(location.search);
  const ok = q.get('status') === 'success';
  page(t('subscription'), h('p', { class: ok ? 'ok' : 'form-error', id: 'payment-result' }, ok ? t('payOk') : `${t('payFailed')} ${q.get('code') || ''}`),
    h('a', { href: '#/subscription', class: 'button' }, t('subscription')));
}

const table = (cols, rows, cell) => rows.length
  ? h('div', { class: 'scroll' }, h('table', {}, h('tr', {}, cols.map((c) => h('th', {}, t(c)))), rows.map((row) => h('tr', {}, cols.map((c) => h('td', {}, cell(row, c)))))))
  : h('p', { class: 'muted' }, t('noItems'));
const plain = (row, c) => (/At$|date/i.test(c) ? fmtDate(row[c]) : typeof row[c] === 'number' ? fmtNum(row[c]) : /^[A-Z_]+$/.test(row[c] || '') ? t(row[c]) : row[c] ?? t('none'));

async function subscriptionPage() {
  const [s, orders, payments] = await Promise.all([api('GET', '/api/campaigns/subscription'), api('GET', '/api/orders/me'), api('GET', '/api/payments/me')]);
  const sub = s.subscription;
  const used = sub.totalLimit ? Math.round((sub.used * 100) / sub.totalLimit) : 0;
  const bar = h('div', { class: 'bar-fill' });
  bar.style.width = used + '%';
  page(t('subscription'),
    h('section', { class: 'card', id: 'subscription' }, badge(sub.isActive ? 'ACTIVE' : 'INACTIVE'),
      h('p', {}, `${t('expiresAt')}: ${fmtDate(sub.expiresAt)}`),
      h('div', { class: 'bar' }, bar),
      h('p', {}, `${t('used')}: ${fmtNum(sub.used)} / ${fmtNum(sub.totalLimit)} · ${t('remaining')}: ${fmtNum(sub.remaining)}`),
      h('ul', {}, (sub.packages || []).map((p) => h('li', {}, `${p.title} (${fmtNum(p.messageLimit)})`))),
      h('a', { href: '#/packages', class: 'button' }, t('buy'))),
    h('h2', {}, t('orders')), table(['id', 'status', 'createdAt'], orders.orders, plain),
    h('h2', {}, t('transactions')), table(['amount', 'status', 'createdAt'], payments.transactions, plain));
}

// ---------------------------------------------------------------- admin
const adminNav = () => h('nav', { class: 'tabs' }, [['#/admin', 'dashboard'], ['#/admin/users', 'users'], ['#/admin/packages', 'packages'],
  ['#/admin/transactions', 'transactions'], ['#/admin/template', 'excelTemplate']].map(([href, k]) =>
  h('a', { href, class: location.hash === href ? 'on' : null }, t(k))));

async function adminDashboardPage() {
  const { stats } = await api('GET', '/api/admin/dashboard');
  page(t('admin'), adminNav(), h('div', { class: 'grid counters', id: 'stats' }, Object.entries(stats).map(([k, v]) =>
    h('div', { class: 'card', 'data-stat': k }, h('b', {}, fmtNum(v)), h('span', {}, t(k))))));
}

async function adminUsersPage() {
  const state = { page: 1, search: '' };
  const list = h('div', { id: 'users' });
  async function load() {
    const q = new URLSearchParams({ page: state.page, limit: 20, ...(state.search && { search: state.search }) });
    const r = await api('GET', '/api/admin/users?' + q);
    const change = (u, what) => async (e) => {
      try { await api('PATCH', `/api/admin/users/${u.id}/${what}`, { [what]: e.target.value }); toast(t('ok')); }
      catch (err) { toast(err.message, true); load(); }
    };
    put(list, table(['name', 'email', 'phone', 'role', 'status'], r.users, (u, c) =>
      c === 'role' ? select('role', ['USER', 'ADMIN', 'SUPER_ADMIN'].map((x) => [x, t(x)]), u.role, { 'data-user': u.id, onchange: change(u, 'role') })
        : c === 'status' ? select('status', ['ACTIVE', 'INACTIVE', 'BANNED'].map((x) => [x, t(x)]), u.status, { 'data-user': u.id, onchange: change(u, 'status') })
          : plain(u, c)), pager(r.pagination, (n) => { state.page = n; load(); }));
  }
  page(t('users'), adminNav(), h('input', { type: 'search', placeholder: t('search'), onchange: (e) => { state.search = e.target.value; state.page = 1; load(); } }), list);
  await load();
}

async function adminPackagesPage() {
  const list = h('div', { id: 'packages' });
  async function load() {
    const r = await api('GET', '/api/packages');
    put(list, table(['title', 'price', 'duration', 'messageLimit', 'status'], r.packages, (p, c) => c === 'status'
      ? h('button', { class: 'link', onclick: async () => {
        try { await api('DELETE', `/api/packages/${p.id}`); load(); } catch (err) { toast(err.message, true); }
      } }, t('remove')) : plain(p, c)));
  }
  page(t('packages'), adminNav(), form([field('title', t('title')), field('description', t('description')),
    field('price', t('price'), { type: 'number', min: 0 }), field('duration', t('duration'), { type: 'number', min: 1 }),
    field('messageLimit', t('messageLimit'), { type: 'number', min: 1 }), field('category', t('category'), { value: 'standard' })],
  t('newPackage'), async (v, f) => {
    await api('POST', '/api/packages', { ...v, price: +v.price, duration: +v.duration, messageLimit: +v.messageLimit, status: 'ACTIVE' });
    f.reset();
    load();
  }), list);
  await load();
}

async function adminTransactionsPage() {
  const state = { page: 1, status: '' };
  const list = h('div', { id: 'transactions' });
  async function load() {
    const r = await api('GET', '/api/admin/transactions?' + new URLSearchParams({ page: state.page, limit: 20, ...(state.status && { status: state.status }) }));
    put(list, table(['id', 'amount', 'status', 'gateway', 'createdAt'], r.transactions, plain), pager(r.pagination, (n) => { state.page = n; load(); }));
  }
  page(t('transactions'), adminNav(), select('status', [['', t('allStatuses')], ...['PENDING', 'SUCCESS', 'FAILURE'].map((s) => [s, t(s)])], '',
    { onchange: (e) => { state.status = e.target.value; state.page = 1; load(); } }), list);
  await load();
}

async function adminTemplatePage() {
  const info = h('div', { id: 'template-info' });
  async function load() {
    const r = await api('GET', '/api/admin/excel-template/info');
    put(info, r.template ? h('p', {}, `${t('currentTemplate')}: ${r.template.name || r.template.originalName || ''} · ${fmtNum(r.template.size)} B · ${fmtDate(r.template.uploadedAt)}`) : h('p', { class: 'muted' }, t('none')));
  }
  const f = form([h('label', { class: 'field' }, h('span', {}, t('excelTemplate')), h('input', { type: 'file', name: 'template', accept: '.xlsx,.xls' }))],
    t('upload'), async (_, f) => {
      await api('POST', '/api/admin/excel-template', new FormData(f));
      toast(t('ok'));
      load();
    });
  page(t('excelTemplate'), adminNav(), info, f);
  await load();
}

// ---------------------------------------------------------------- start
window.addEventListener('hashchange', route);
(async () => {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'fa' ? 'rtl' : 'ltr';
  try {
    config = { ...config, ...(await (await fetch('/console/config.json')).json()) };
  } catch { /* static hosting without a config: same origin */ }
  await route();
  document.body.dataset.ready = 'true';
  document.body.dataset.readyMs = Math.round(performance.now()); // infra/console-weight.sh reads it
})();
