// Sets the page's language before the first paint, from the reader's
// earlier choice or the browser's languages; app.js does the rest. A
// classic script loaded in <head>, so that it runs before the body is
// drawn; it is a file of its own because the site's Content-Security-Policy
// allows no inline script.
try {
  var l = localStorage.getItem('opendraw.lang');
  if (l !== 'zh' && l !== 'en') l = (((navigator.languages && navigator.languages[0]) || navigator.language || '').toLowerCase().indexOf('zh') === 0) ? 'zh' : 'en';
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
} catch (e) {}
