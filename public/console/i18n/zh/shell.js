// @ts-check
/** @type {import('../../../lib/i18n.js').MessageTable} */
export default {
  skip: '跳到正文',
  'console.title': '工作台 — opendraw',
  'console.tagline': '工作人员工作台',
  'console.nav.label': '工作台',
  'console.nav.dashboard': '首页',
  'console.footer.public': '公开网站',
  'console.lang.switch': '切换到英文（Switch to English）',
  'console.loading': '正在加载…',
  'console.signout': '退出登录',
  'console.role.admin': '管理员',
  'console.role.supervisor': '监管人员',
  'console.role.inspector': '执法检查人员',
  'console.errors.title': '请更正以下问题',
  'console.error.network': '服务器没有响应，请检查网络后重试。',
  'console.error.page': '无法显示此页面：{message}',
};
