// @ts-check
// A task's rules and pool filter in plain words, in the current language
// (the task page's parameters and the home page's cards).

import { departmentLabel, flagLabel } from './departments.js';
import { countTargets, list, listAnd } from './format.js';
import { getLang, pick } from './i18n.js';

const STRATA_NAMES = {
  region: { en: 'region', zh: '区域', enPossessive: "each region's targets" },
  industry: { en: 'industry', zh: '行业', enPossessive: "each industry's targets" },
  risk_class: { en: 'risk class', zh: '风险等级', enPossessive: "each risk class's targets" },
  unit: { en: 'supervising unit', zh: '监管单位', enPossessive: "each supervising unit's targets" },
};

/**
 * @param {string} ratio
 */
function percent(ratio) {
  const number = String(ratio).replace('%', '').trim();
  return getLang() === 'zh' ? `${number}%` : `${number} %`;
}

/**
 * @param {import('./types.js').QuotaRule | null | undefined} rule
 */
export function quotaText(rule) {
  if (!rule) return '';
  if (rule.ratio !== undefined && rule.ratio !== null) return percent(rule.ratio);
  if (rule.count !== undefined && rule.count !== null) return countTargets(rule.count);
  return '';
}

/**
 * @param {string[]} strataBy
 */
export function strataWords(strataBy) {
  return listAnd(strataBy.map((c) => (STRATA_NAMES[c] ? pick(STRATA_NAMES[c]) : c)));
}

/**
 * @param {string} key
 * @param {string[]} strataBy
 */
function stratumName(key, strataBy) {
  if (strataBy.length === 1 && strataBy[0] === 'risk_class') {
    return getLang() === 'zh' ? `${key}级` : `class ${key}`;
  }
  return key;
}

/**
 * @param {string} key
 * @param {import('./types.js').QuotaRule} rule
 * @param {string[]} strataBy
 */
export function overrideText(key, rule, strataBy) {
  const name = stratumName(key, strataBy);
  if (getLang() === 'zh') {
    if (rule.ratio != null) return `${name}${percent(rule.ratio)}`;
    return `${name}${rule.count}个`;
  }
  if (rule.ratio != null) return `${name} at ${percent(rule.ratio)}`;
  return `${name}: ${countTargets(rule.count)}`;
}

/**
 * @param {import('./types.js').PublicTask} task
 * @returns {string[]}
 */
export function taskDepartments(task) {
  const def = task.definition || {};
  return def.departments && def.departments.length ? def.departments : [task.department];
}

/**
 * The quota part: "5 % of each risk class's targets, class C at 20 %".
 * @param {import('./types.js').TaskDefinition} def
 */
function quotaSentence(def) {
  const strataBy = def.strata_by || [];
  const overrides = Object.entries(def.quota_by_stratum || {}).map(([key, rule]) =>
    overrideText(key, rule, strataBy),
  );
  const q = def.quota;
  const parts = [];
  if (getLang() === 'zh') {
    if (!strataBy.length) {
      if (q) parts.push(q.ratio != null ? `不分层，从对象库中抽取${percent(q.ratio)}` : `不分层，从对象库中抽取${q.count}个对象`);
      else parts.push('不分层');
    } else {
      const by = `按${strataWords(strataBy)}分层`;
      if (q) parts.push(`${by}，每层抽取${q.ratio != null ? percent(q.ratio) : `${q.count}个`}`);
      else parts.push(`${by}，仅抽取下列各层`);
    }
    return [...parts, ...overrides].join('，');
  }
  if (!strataBy.length) {
    if (q) parts.push(q.ratio != null ? `${percent(q.ratio)} of the pool's targets` : `${countTargets(q.count)} from the pool`);
    else parts.push('one stratum');
  } else {
    const possessive =
      strataBy.length === 1 && STRATA_NAMES[strataBy[0]]
        ? STRATA_NAMES[strataBy[0]].enPossessive
        : `each stratum's targets (strata by ${strataWords(strataBy)})`;
    const each =
      strataBy.length === 1 && STRATA_NAMES[strataBy[0]] ? `each ${STRATA_NAMES[strataBy[0]].en}` : 'each stratum';
    if (q) parts.push(q.ratio != null ? `${percent(q.ratio)} of ${possessive}` : `${countTargets(q.count)} from ${each}`);
    else parts.push(`by ${strataWords(strataBy)}, only the strata named`);
  }
  return [...parts, ...overrides].join(', ');
}

/**
 * The task's rules in one sentence, in the current language, e.g.
 * en: "5 % of each risk class's targets, class C at 20 %, class D at 60 %;
 * 2 inspectors per target, from another region; workload balanced;
 * certificates valid on 2026-09-15".
 * @param {import('./types.js').PublicTask} task
 */
export function describeRules(task) {
  const def = task.definition || {};
  const k = def.inspectors_per_target ?? 2;
  const departments = taskDepartments(task);
  const cross = def.cross || [];
  const region = cross.includes('region');
  const unit = cross.includes('unit');
  if (getLang() === 'zh') {
    let inspectors =
      departments.length > 1
        ? `每个对象由${list(departments.map(departmentLabel))}各派${k}名检查人员（联合检查）`
        : `每个对象${k}名检查人员`;
    if (region && unit) inspectors += '，须来自其他区域和其他单位';
    else if (region) inspectors += '，须来自其他区域';
    else if (unit) inspectors += '，须来自其他单位';
    else inspectors += '，不限区域和单位';
    return [
      quotaSentence(def),
      inspectors,
      def.balance === false ? '不做工作量均衡' : '工作量均衡',
      `执法证须在${def.certificate_date}有效`,
    ].join('；');
  }
  let inspectors =
    departments.length > 1
      ? `${k} inspectors per target from each of ${listAnd(departments.map(departmentLabel))} (joint inspection)`
      : `${k} inspectors per target`;
  if (region && unit) inspectors += ', from another region and another unit';
  else if (region) inspectors += ', from another region';
  else if (unit) inspectors += ', from another unit';
  else inspectors += ', from any region or unit';
  return [
    quotaSentence(def),
    inspectors,
    def.balance === false ? 'workload not balanced' : 'workload balanced',
    `certificates valid on ${def.certificate_date}`,
  ].join('; ');
}

/**
 * The pool filter in words.
 * @param {import('./types.js').TaskDefinition | null | undefined} def
 */
export function describeFilter(def) {
  const f = (def && def.filter) || {};
  const zh = getLang() === 'zh';
  const parts = [];
  if (f.regions && f.regions.length) parts.push(zh ? `区域为${list(f.regions)}` : `in the region${f.regions.length > 1 ? 's' : ''} ${list(f.regions)}`);
  if (f.industries && f.industries.length) parts.push(zh ? `行业为${list(f.industries)}` : `in the industr${f.industries.length > 1 ? 'ies' : 'y'} ${list(f.industries)}`);
  if (f.risk_classes && f.risk_classes.length) parts.push(zh ? `风险等级为${list(f.risk_classes.map((c) => `${c}级`))}` : `of risk class ${listAnd(f.risk_classes)}`);
  const excluded = [];
  if (f.exclude_flags && f.exclude_flags.length) {
    const flags = f.exclude_flags.map(flagLabel);
    excluded.push(zh ? `排除${list(flags)}的对象` : `leaving out targets ${listAnd(flags)}`);
  }
  if (f.exclude_inspected_within_days != null) {
    const n = f.exclude_inspected_within_days;
    excluded.push(zh ? `排除承诺前${n}天内已检查过的对象` : `leaving out targets inspected within the ${n} days before the commitment`);
  }
  if (zh) {
    const who = parts.length ? `名录中${parts.join('、')}的全部对象` : '名录中的全部对象';
    return [who, ...excluded].join('；');
  }
  const who = parts.length ? `All targets of the directory ${parts.join(', ')}` : 'All targets of the directory';
  return [who, ...excluded].join('; ');
}
