// Applies the saved theme before the first paint so there is no flash. A
// file rather than an inline script: the server's Content-Security-Policy
// allows scripts from its own origin only.
try {
  var t = localStorage.getItem('reelvault.theme');
  if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
} catch (e) {}
