// @ts-check
/** @type {import('../../../lib/i18n.js').MessageTable} */
export default {
  skip: 'Skip to content',
  'console.title': 'Staff console — opendraw',
  'console.tagline': 'Staff console',
  'console.nav.label': 'Console',
  'console.nav.dashboard': 'Dashboard',
  'console.footer.public': 'The public site',
  'console.lang.switch': 'Switch the console to Chinese (切换到中文)',
  'console.loading': 'Loading…',
  'console.signout': 'Sign out',
  'console.role.admin': 'admin',
  'console.role.supervisor': 'supervisor',
  'console.role.inspector': 'inspector',
  'console.errors.title': 'There is a problem',
  'console.error.network': 'The server did not answer. Check the connection and try again.',
  'console.error.page': 'This page could not be shown: {message}',
};
