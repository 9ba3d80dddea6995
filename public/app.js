// opendraw public results site: the shared module of every page.
//
// - Languages, elements and fetching come from lib/ (i18n.js, dom.js,
//   api.js); this module adds the public site's messages and re-exports
//   what the page modules use.
// - One entry point per page (data-page on <body>): home, task, log, how
//   here; results (results.js) and stats (stats.js) are loaded on demand,
//   as is records.js, which renders published inspection results wherever
//   they appear. Those modules import their helpers from this one.

'use strict';

import { ApiError, api } from './lib/api.js';
import { $, fill, h, live, tx } from './lib/dom.js';
import { addMessages, applyStatic, getLang, has, onLangChange, pick, setLang, t } from './lib/i18n.js';

export { $, ApiError, api, fill, getLang, h, has, live, onLangChange, pick, setLang, t, tx };

const MESSAGES = {
  en: {
    'site.name': 'opendraw',
    'site.tagline': 'Double random, one public: inspection draws anyone can check',
    'skip': 'Skip to content',
    'nav.label': 'Main',
    'nav.home': 'Home',
    'nav.task': 'Task',
    'nav.log': 'Public log',
    'nav.results': 'Results',
    'nav.stats': 'Statistics',
    'nav.how': 'How it works',
    'lang.switch': '中文',
    'lang.switch.title': 'Switch the site to Chinese (切换到中文)',
    'footer.text': 'opendraw — random inspection draws, committed before the dice are rolled, and verifiable by anyone. The protocol is specified in docs/PROTOCOL.md in the source repository.',
    'footer.api': 'API description (OpenAPI)',
    'title.home': 'Published inspection draws — opendraw',
    'title.task': 'Task — opendraw',
    'title.taskN': '{name} — opendraw',
    'title.log': 'Public log — opendraw',
    'title.results': 'Published inspection results — opendraw',
    'title.stats': 'Statistics — opendraw',
    'title.how': 'How it works — opendraw',
    'loading': 'Loading…',
    'error.load': 'Could not load this from the server: {message}',
    'error.network': 'The server could not be reached. Check your connection and reload the page.',
    'time.note': 'Times are shown in your time zone ({zone}).',

    // states
    'state.committed': 'Committed — waiting for the draw',
    'state.drawn': 'Drawn, sealed',
    'state.revealed': 'Revealed',
    'state.abandoned': 'Abandoned',
    'state.draft': 'Draft',
    'state.results_published': 'Results published',
    'state.short.committed': 'Committed',
    'state.short.drawn': 'Drawn (sealed)',
    'state.short.revealed': 'Revealed',
    'state.short.abandoned': 'Abandoned',
    'state.short.results_published': 'Results published',

    // steps
    'step.created': 'Created',
    'step.committed': 'Committed',
    'step.drawn': 'Drawn',
    'step.revealed': 'Revealed',
    'step.abandoned': 'Abandoned',

    // home
    'home.h1': 'Published inspection draws',
    'home.intro': 'Each task below fixed its pool of companies, its pool of inspectors and its rules before the public randomness (dice, lottery numbers) existed. After the reveal, anyone can re-check the draw in this browser.',
    'home.tasks': 'Tasks, newest first',
    'home.none': 'No task has been published yet.',
    'home.taskNo': 'No. {id}',
    'fact.authority': 'Authority',
    'fact.items': 'Items',
    'fact.pool': 'Pool',
    'fact.drawn': 'Drawn',
    'fact.steps': 'Steps',
    'count.targets': (v) => (v.n === 1 ? '1 target' : `${v.n} targets`),
    'notYet': 'not yet',
    'search.h2': 'Was my company in a pool? Was it drawn?',
    'search.label': 'Entity id (for a company: its 18-character unified social credit code)',
    'search.button': 'Search',
    'search.hint': 'The code printed on the business licence, e.g. 91320114000364274F.',
    'search.empty': 'Please type an id first.',
    'search.busy': 'Searching…',
    'search.notFound': 'No entity “{id}” is in the directory or in any committed pool. Check the id: it must be typed exactly as on the licence.',
    'search.noPools': 'This entity is in the directory, but it was in no published pool.',
    'search.pools': (v) => (v.n === 1 ? 'It was in the pool of 1 published task:' : `It was in the pools of ${v.n} published tasks:`),
    'search.col.task': 'Task',
    'search.col.state': 'State',
    'search.col.outcome': 'Drawn?',
    'search.caption': 'Pools containing {id}',
    'outcome.drawn': 'Yes — drawn, position {n}',
    'outcome.notDrawn': 'No — not drawn',
    'outcome.sealed': 'Sealed until the reveal',
    'outcome.committed': 'Not drawn yet',
    'outcome.abandoned': 'Task abandoned before its draw; nothing was drawn',
    'home.abandonedDrawPublished': 'its draw was published when it was abandoned',
    'outcome.unknown': '—',
    'outcome.seeSelection': 'see it in the selection',

    // task page
    'task.none.h1': 'Open a task',
    'task.h1': 'Task',
    'task.none.text': 'Choose a published task, or type its number.',
    'task.none.label': 'Task number',
    'task.none.button': 'Open',
    'task.notFound': 'There is no published task number {id}.',
    'task.badId': '“{id}” is not a task number.',
    'task.sealed.title': 'Sealed until the reveal',
    'task.sealed': 'The selection is sealed until the reveal. The draw has been made and its result digest is in the public log, so the result can no longer be changed — but which targets were drawn, and which inspectors, stays secret until then (inspections are unannounced).',
    'task.sealed.embargo': 'The reveal is due on {date} at the latest.',
    'task.sealed.noEmbargo': 'The authority will reveal it; no date was fixed.',
    'task.committed.notice': 'Waiting for the draw. The pools and rules below are fixed; the public randomness will come from: {source}.',
    'task.abandoned.notice': 'This task was abandoned (it was {from}). Reason given: {reason}',
    'task.abandoned.noReason': 'no reason recorded',
    'task.abandoned.secret': 'It was committed but not drawn. Abandoning it published its secret, so that once the committed entropy is known anyone can compute what the draw would have been: secret {secret}',
    'task.abandoned.sealed': 'Its draw had been made. Abandoning it published at once everything a reveal publishes — the secret, the entropy, the seed, the result, the selection and the bundle — so that the discarded draw can be checked like any other, below.',
    'task.params.h2': 'The rules',
    'task.params.intro': 'Fixed at the commitment, in parameters.tsv:',
    'p.items': 'Items inspected',
    'p.items.note': 'every inspector must be qualified for all of them',
    'p.departments': 'Departments',
    'p.lead': 'lead',
    'p.joint': 'joint inspection: each department sends its own inspectors',
    'p.strata': 'Strata',
    'p.strata.none': 'none: the whole pool is one stratum',
    'p.quota': 'How many are drawn',
    'p.quota.default': 'every stratum: {q}',
    'p.quota.pool': 'from the pool: {q}',
    'p.quota.noDefault': 'only the strata named below',
    'p.perTarget': 'Inspectors per target',
    'p.perTarget.joint': '{k} from each department',
    'p.cross': 'Inspectors must not share with the target',
    'p.cross.none': 'no restriction',
    'p.cross.region': 'its region',
    'p.cross.unit': 'its unit',
    'p.cross.both': 'its region or its unit',
    'p.balance': 'Workload balance',
    'p.balance.yes': 'yes: the least-loaded eligible inspectors are chosen first',
    'p.balance.no': 'no',
    'p.certificate': 'Certificates must be valid on',
    'p.embargo': 'Sealed until',
    'p.embargo.none': 'no date fixed; until the authority reveals it',
    'task.pool.h2': 'The pool',
    'p.filter': 'Which targets',
    'p.poolSize': 'Targets in the committed pool',
    'task.entropy.h2': 'The public randomness',
    'p.entropy.format': 'Written as',
    'p.entropy.source': 'Source',
    'p.entropy.min': 'At least',
    'p.entropy.minValue': '{n} characters',
    'p.entropy.value': 'Entropy used at the draw',
    'p.secretHash': 'Hash of the secret (committed)',
    'p.secret': 'Secret (revealed)',
    'p.seed': 'Seed (revealed)',
    'p.entropy.event': 'Entropy comes into being',
    'p.entropy.committedAt': 'Committed at',
    'p.entropy.noEvent': 'not stated: this commitment names no time for its entropy, so this page cannot show that the entropy came after the commitment; judge from the source',
    'p.entropy.reversed': 'Warning: the entropy was to come into being before the commitment (or at the same time). Whoever committed could have known it.',
    'p.entropy.inOrder': 'after the commitment, as it must be',
    'p.notYet.entropy': 'not yet: the draw has not happened',
    'p.notYet.secret': 'published at the reveal',
    'entropy.dice': 'dice: the digits 1 to 6, in the order rolled, no separators',
    'entropy.digits': 'decimal digits 0 to 9, no separators',
    'entropy.hex': 'hexadecimal: 0 to 9 and a to f, no separators',
    'task.timeline.h2': 'Timeline from the public log',
    'task.timeline.empty': 'No log entry yet.',
    'tl.by': 'by {actor}',
    'tl.system': 'automatically, by the system',
    'tl.entry': 'log entry #{seq}',
    'tl.hash': 'hash',
    'tl.created': 'Task created: “{name}”.',
    'tl.committed': 'Committed: the pools ({pool}), the rules and the hash of the secret were fixed, with the entropy to come from: {source}. Commitment digest: {digest}',
    'tl.drawn': 'Drawn with the public entropy {entropy}: {drawn}. The result’s digest {digest} was logged at once; the result stays sealed until the reveal.',
    'tl.drawn.failed': 'the draw failed (too few eligible inspectors); the failure is part of the result',
    'tl.revealed': 'Revealed: the secret, the seed and the result were published. Anyone can now recompute the draw.',
    'tl.abandoned': 'Abandoned (it was {from}). Reason: {reason}',
    'tl.unknown': 'Log entry of kind {kind}.',
    'task.files.h2': 'Digests and files',
    'task.files.intro': 'Compare these digests with the public log; download the files to check them yourself.',
    'd.commitment': 'Commitment digest',
    'd.result': 'Result digest',
    'd.result.none': 'none yet: logged at the draw',
    'task.files.list': 'Files',
    'file.parameters.tsv': 'the rules, as committed',
    'file.targets.tsv': 'the pool of targets, frozen at the commitment',
    'file.inspectors.tsv': 'the pool of inspectors, frozen at the commitment',
    'file.recusals.tsv': 'recusals: inspector–target pairs that must not meet',
    'file.commitment.tsv': 'the commitment: the four files’ digests, the secret’s hash, the entropy plan',
    'file.reveal.tsv': 'the secret, the entropy and the seed',
    'file.result.tsv': 'the result: strata, drawn targets and their inspectors',
    'file.bundle.tar': 'all the files above in one archive, for verification',
    'task.files.command': 'To verify with the command-line tool:',
    'task.selection.h2': 'Who was drawn, and by whom inspected',
    'task.selection.status.complete': 'The draw completed: {n}.',
    'task.selection.status.failed': 'The draw failed: some target had too few eligible inspectors. The result, failure included, is published and verifiable like any other.',
    'task.selection.failure': 'Target {target}, department {department}: after the “{rule}” rule only {remaining} inspector(s) remained; {k} were needed.',
    'task.selection.filter': 'Filter by target id or name, stratum, or inspector',
    'task.selection.count': 'Showing {shown} of {total}.',
    'task.selection.noMatch': 'No drawn target matches this filter.',
    'task.selection.caption': 'Drawn targets in draw order, with their inspectors',
    'col.position': 'No.',
    'col.target': 'Target id',
    'col.name': 'Name',
    'col.stratum': 'Stratum',
    'col.inspectors': 'Inspectors',
    'task.verify.h2': 'Verify this draw',
    'task.verify.intro': 'Your browser downloads the bundle and recomputes every step — the file digests, the commitment, the secret, the seed, every stratum’s selection and every inspector — and compares the result with the digests in the public log. Nothing is sent anywhere.',
    'task.verify.button': 'Verify this draw',
    'task.verify.downloading': 'Downloading the bundle…',
    'task.verify.running': 'Verifying: {label}',
    'task.verify.ok': '✓ Verified: every check passed. This draw is exactly the one committed to, computed from the public randomness, with the replacements the public log holds.',
    'task.verify.consistent': '✓ Consistent: every check passed, but the bundle could not be compared with all of the public log’s digests (commitment, result, replacements); it is consistent with itself, not pinned to the log.',
    'task.verify.bad': '✗ Not verified: at least one check failed.',
    'task.verify.firstFailure': 'First difference',
    'task.verify.error': 'The verification could not run: {message}',
    'task.verify.pinMismatch': 'Warning: the digests of the task page differ from those in its log entries.',
    'task.verify.checks': 'Checks',
    'task.verify.count': '{passed} of {total} checks passed.',
    'check.passed': 'passed',
    'check.failed': 'FAILED',
    'kind.file-digest': 'File digest',
    'kind.commitment': 'Commitment',
    'kind.secret': 'Secret',
    'kind.seed': 'Seed',
    'kind.stratum': 'Stratum',
    'kind.inspectors': 'Inspectors',
    'kind.outcome': 'Outcome',
    'kind.result-digest': 'Result digest',
    'kind.document': 'Document',
    'subject.digest': 'digest',
    'subject.against its hash': 'against its hash',
    'subject.derivation': 'derivation',
    'subject.of every target': 'of every target',
    'subject.status': 'status',
    'rule.department': 'department',
    'rule.qualification': 'qualification',
    'rule.certificate': 'certificate',
    'rule.recusal': 'recusal',
    'rule.cross-region': 'cross-region',
    'rule.cross-unit': 'cross-unit',

    // log page
    'log.h1': 'The public log',
    'log.intro': 'Every step of every task is appended to one hash chain: each entry’s hash covers the previous one, so changing, removing or reordering any entry changes every hash after it. The head hash below therefore stands for the whole log.',
    'log.head': 'Head of the log: entry #{seq}, hash',
    'log.head.empty': 'The log is empty.',
    'log.entries': 'Entries {from} to {to} of {total}',
    'log.entries.none': 'No entries on this page.',
    'log.entries.h2': 'Entries',
    'log.caption': 'Log entries in chain order',
    'log.col.seq': '#',
    'log.col.time': 'Time',
    'log.col.kind': 'What happened',
    'log.col.task': 'Task',
    'log.col.actor': 'Actor',
    'log.col.hash': 'Hash',
    'log.payload': 'Full entry',
    'log.task.unpublished': 'task {id} (not published)',
    'log.task': 'task {id}',
    'log.pages': 'Log pages',
    'log.first': '« First',
    'log.prev': '‹ Previous',
    'log.next': 'Next ›',
    'log.last': 'Latest »',
    'log.verify.h2': 'Verify the chain',
    'log.verify.intro': 'Your browser downloads every entry and checks that the chain is unbroken, that every task’s commitment came before its randomness, and that every reveal matches its commitment and its draw.',
    'log.verify.button': 'Verify the chain',
    'log.verify.fetching': 'Downloading the log: {n} of {total} entries…',
    'log.verify.checking': 'Checking {n} entries…',
    'log.verify.ok': '✓ The chain is intact: {n} entries checked, no problem found.',
    'log.verify.bad': '✗ The chain has problems: {count} found.',
    'log.verify.head': 'Head hash computed: {hash}',
    'log.verify.headMatch': 'It matches the head the server reports.',
    'log.verify.headNew': 'The server’s head has moved on since (new entries were appended); verify again to include them.',
    'log.verify.open': 'Tasks still open (committed or drawn, not yet revealed or abandoned):',
    'log.verify.noOpen': 'No task is left open.',
    'log.verify.error': 'The check could not run: {message}',
    'kind.task.created': 'Task created',
    'kind.task.committed': 'Committed',
    'kind.task.drawn': 'Drawn (result sealed)',
    'kind.task.revealed': 'Revealed',
    'kind.task.abandoned': 'Abandoned',

    // how page
    'kind.task.replaced': 'Inspector replaced',
    'kind.result.submitted': 'Result submitted for review',
    'kind.result.returned': 'Result returned for revision',
    'kind.result.approved': 'Result approved',
    'kind.result.published': 'Result published',
    'kind.result.corrected': 'Published result corrected',
    'kind.replacement': 'Replacement',
    'kind.replacement-digests': 'Replacements against the log',
    'subject.replacement': 'No. {n}',

    // timeline entries of replacements and results
    'tl.replaced': 'Inspector replacement No. {n} was drawn and recorded. The log holds a digest of its line keyed with the draw’s seed ({digest}), which nobody can test guesses against before the reveal; the line itself — which target, which inspector went out, who came in, and why — is in replacements.tsv, published with the task’s files once the draw is revealed, when anyone can recompute the digest.',
    'tl.group': (v) => `${v.n} log entries about inspection results: ${v.counts}`,
    'tl.count.result.submitted': '{n} submitted',
    'tl.count.result.returned': '{n} returned',
    'tl.count.result.approved': '{n} approved',
    'tl.count.result.published': '{n} published',
    'tl.count.result.corrected': '{n} corrected',
    'tl.result.submitted': 'An inspection result ({ref}) was entered and submitted for review.',
    'tl.result.returned': 'Result {ref} was returned to the inspectors for revision.',
    'tl.result.approved': 'Result {ref} was approved for publication.',
    'tl.result.published': 'Result {ref} was published: {entity} — {item}: {outcome}.',
    'tl.result.published.short': 'Result {ref} was published.',
    'tl.result.corrected': 'Result {ref} was published as a correction of {corrects}. Reason: {reason}',
    'tl.seeResult': 'see the result',

    // shared: a published inspection result
    'rec.col.entity': 'Entity',
    'rec.col.task': 'Task',
    'rec.col.item': 'Item inspected',
    'rec.col.result': 'Result',
    'rec.col.inspection': 'Inspection',
    'rec.col.published': 'Published',
    'rec.caption': 'Published inspection results, newest publication first',
    'rec.region': 'Region: {region}',
    'rec.plan': 'Plan: {plan}',
    'rec.plan.none': 'Plan: none named',
    'rec.type': 'Type: {type}',
    'rec.authority': 'Inspecting authority: {authority}',
    'rec.completed': 'Completed: {date}',
    'rec.summary': 'Summary: {summary}',
    'rec.reference': 'Record',
    'rec.late': 'Published late (due {date})',
    'rec.onTime': 'Published on time (due {date})',
    'rec.status.corrected': 'Corrected',
    'rec.status.correction': 'Correction',
    'rec.correctedBy': 'This record was corrected and is no longer in force. The correction:',
    'rec.corrects': 'This record corrects record',
    'rec.reason': 'Reason for the correction: {reason}',
    'rec.none': 'No result.',
    'inspectionType.双随机抽查': 'random inspection (双随机抽查)',

    // entity view
    'outcome.selected': 'Yes — drawn',
    'search.col.results': 'Results',
    'search.results.h3': 'Published inspection results',
    'search.results.none': 'No inspection result has been published for this entity.',
    'search.results.count': (v) => (v.n === 1 ? '1 published result:' : `${v.n} published results:`),
    'search.results.all': 'all its results on the results page',

    // task page: results and replacements
    'fact.results': 'Results published',
    'task.results.h2': 'Published inspection results',
    'task.results.intro': 'What the inspections of this task’s targets found, as published.',
    'task.results.none': 'No result of this task has been published yet.',
    'task.results.count': (v) => (v.n === 1 ? '1 published record.' : `${v.n} published records.`),
    'task.results.more': 'Showing the {shown} newest. See all {total} on the results page.',
    'task.results.all': 'These results on the results page, with filters and downloads',
    'task.replacements.h2': 'Replaced inspectors',
    'task.replacements.intro': 'When a drawn inspector cannot go (illness, a conflict of interest found later), the replacement is drawn too, from the same eligible inspectors and with the draw’s own seed — it is not chosen. Each replacement is logged at once and listed here, in replacements.tsv, after the reveal; the verification below checks every one.',
    'task.replacements.none': 'No inspector of this task was replaced.',
    'task.replacements.caption': 'Replacements, in the order made',
    'rep.col.number': 'No.',
    'rep.col.target': 'Target',
    'rep.col.department': 'Department',
    'rep.col.change': 'Out → in',
    'rep.col.reason': 'Reason',
    'rep.col.made': 'Made',
    'rep.by': 'by {who}',
    'file.replacements.tsv': 'replacements: the inspectors replaced after the draw, and who was drawn in',

    // results page
    'res.h1': 'Published inspection results',
    'res.intro': 'What the inspections of drawn targets found, with the fields of the national credit-publicity record: plan, task, type of inspection, inspecting authority, completion date, item and result. A correction never erases a record: the original stays listed, marked as corrected, and links to its correction.',
    'res.filter.h2': 'Filter the results',
    'res.f.outcome': 'Result',
    'res.f.outcome.any': 'Any result',
    'res.f.region': 'Region',
    'res.f.region.any': 'Any region',
    'res.f.item': 'Item',
    'res.f.item.any': 'Any item',
    'res.f.task': 'Task',
    'res.f.task.any': 'Any task',
    'res.f.task.option': 'No. {id}: {name}',
    'res.f.target': 'Entity id',
    'res.f.target.hint': 'The unified social credit code, typed exactly.',
    'res.f.from': 'Inspected on or after',
    'res.f.to': 'Inspected on or before',
    'res.f.corrected': 'Also list the corrected originals',
    'res.f.apply': 'Show results',
    'res.f.reset': 'Clear the filters',
    'res.f.error': 'The filter “{field}” was not accepted: {message}',
    'res.list.h2': 'Results',
    'res.summary': 'Results {from}–{to} of {total}, newest publication first.',
    'res.summary.none': 'No published result matches these filters.',
    'res.pages': 'Result pages',
    'res.first': '« Newest',
    'res.prev': '‹ Newer',
    'res.next': 'Older ›',
    'res.download.label': 'Download:',
    'res.download.intro': 'Every result matching the filters above:',
    'res.download.csvZh': 'CSV with Chinese headers',
    'res.download.csvEn': 'CSV with English headers',
    'res.download.json': 'JSON from the API',
    'res.download.jsonNote': '(up to 500 results a request; add offset= for more)',

    // statistics page
    'stats.h1': 'Statistics',
    'stats.intro': 'Counts of the published results in force — a result that was corrected counts once, through its correction — and of the draws and publications of each month. Every chart has its numbers in a table below it.',
    'stats.published': 'Published results in force',
    'stats.rate': 'Published on time',
    'stats.outcome.h2': 'Results by outcome',
    'stats.region.h2': 'Results by region of the entity',
    'stats.risk.h2': 'Results by risk class of the entity',
    'stats.month.h2': 'Draws and publications per month',
    'stats.ontime.h2': 'Publication within 20 working days',
    'stats.table': 'The numbers as a table',
    'stats.col.key.outcome': 'Result',
    'stats.col.key.region': 'Region',
    'stats.col.key.risk': 'Risk class',
    'stats.col.count': 'Results',
    'stats.col.share': 'Share',
    'stats.col.month': 'Month',
    'stats.col.status': 'Publication',
    'stats.series.draws': 'Draws made',
    'stats.series.publications': 'Results published',
    'stats.ontime.on_time': 'Published on time',
    'stats.ontime.late': 'Published late',
    'stats.ontime.overdue_unpublished': 'Overdue, not yet published',
    'stats.rate.text': '{rate} of the results were published within 20 working days of the inspection’s completion.',
    'stats.rate.none': 'No result has fallen due yet, so there is no rate.',
    'stats.empty': 'Nothing has been published yet.',
    'stats.seeResults': 'see these results',
    'stats.desc': '{title}: {items}.',
    'stats.desc.item': '{label}: {value}',
    'stats.month.desc': '{month}: {draws} draws, {publications} results published',
    'risk.class': 'Class {c}',
    'month.short': (v) => ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][v.m - 1] || String(v.m),

    'how.h1': 'How it works',
  },
  zh: {
    'site.name': 'opendraw',
    'site.tagline': '双随机、一公开：人人可以复核的随机抽查',
    'skip': '跳到正文',
    'nav.label': '主导航',
    'nav.home': '首页',
    'nav.task': '任务',
    'nav.log': '公开日志',
    'nav.results': '检查结果',
    'nav.stats': '统计',
    'nav.how': '原理说明',
    'lang.switch': 'English',
    'lang.switch.title': '切换为英文界面 (Switch to English)',
    'footer.text': 'opendraw：在掷骰之前就作出承诺的随机抽查，任何人都可以验证。协议规范见源代码仓库中的 docs/PROTOCOL.md。',
    'footer.api': '接口说明（OpenAPI）',
    'title.home': '已公布的随机抽查 — opendraw',
    'title.task': '抽查任务 — opendraw',
    'title.taskN': '{name} — opendraw',
    'title.log': '公开日志 — opendraw',
    'title.results': '已公示的检查结果 — opendraw',
    'title.stats': '统计 — opendraw',
    'title.how': '原理说明 — opendraw',
    'loading': '加载中…',
    'error.load': '无法从服务器加载：{message}',
    'error.network': '无法连接服务器，请检查网络后刷新页面。',
    'time.note': '时间按您所在时区（{zone}）显示。',

    'state.committed': '已承诺，待抽取',
    'state.drawn': '已抽取，结果封存',
    'state.revealed': '已公开',
    'state.abandoned': '已作废',
    'state.draft': '草稿',
    'state.results_published': '检查结果已公示',
    'state.short.committed': '已承诺',
    'state.short.drawn': '已抽取（封存）',
    'state.short.revealed': '已公开',
    'state.short.abandoned': '已作废',
    'state.short.results_published': '结果已公示',

    'step.created': '创建',
    'step.committed': '承诺',
    'step.drawn': '抽取',
    'step.revealed': '公开',
    'step.abandoned': '作废',

    'home.h1': '已公布的随机抽查任务',
    'home.intro': '下列每个任务都在公开随机数（现场掷骰、彩票开奖号码）产生之前，固定了检查对象库、执法检查人员库和抽取规则。结果公开后，任何人都可以在浏览器中复核抽取过程。',
    'home.tasks': '抽查任务（最新在前）',
    'home.none': '暂无已公布的任务。',
    'home.taskNo': '第{id}号',
    'fact.authority': '实施部门',
    'fact.items': '检查事项',
    'fact.pool': '对象库',
    'fact.drawn': '抽中',
    'fact.steps': '进程',
    'count.targets': (v) => `${v.n}个对象`,
    'notYet': '尚未抽取',
    'search.h2': '我的企业是否在对象库中？是否被抽中？',
    'search.label': '对象编号（企业请填写18位统一社会信用代码）',
    'search.button': '查询',
    'search.hint': '即营业执照上的代码，例如 91320114000364274F。',
    'search.empty': '请先输入编号。',
    'search.busy': '查询中…',
    'search.notFound': '名录和已承诺的对象库中都没有编号为“{id}”的对象。请核对编号，须与营业执照上的完全一致。',
    'search.noPools': '该对象在名录中，但不在任何已公布任务的对象库中。',
    'search.pools': (v) => `它在${v.n}个已公布任务的对象库中：`,
    'search.col.task': '任务',
    'search.col.state': '状态',
    'search.col.outcome': '是否抽中',
    'search.caption': '包含 {id} 的对象库',
    'outcome.drawn': '是：被抽中，第{n}位',
    'outcome.notDrawn': '否：未被抽中',
    'outcome.sealed': '结果封存，公开前不可查',
    'outcome.committed': '尚未抽取',
    'outcome.abandoned': '任务在抽取前作废，未进行抽取',
    'home.abandonedDrawPublished': '作废时已公布其抽取结果',
    'outcome.unknown': '—',
    'outcome.seeSelection': '在抽取结果中查看',

    'task.none.h1': '查看任务',
    'task.h1': '抽查任务',
    'task.none.text': '请选择一个已公布的任务，或输入任务编号。',
    'task.none.label': '任务编号',
    'task.none.button': '打开',
    'task.notFound': '没有编号为{id}的已公布任务。',
    'task.badId': '“{id}”不是有效的任务编号。',
    'task.sealed.title': '结果封存中，公开前不可查看',
    'task.sealed': '抽取结果在公开之前处于封存状态。抽取已经完成，结果摘要已记入公开日志，结果无法再被更改；但抽中了哪些对象、由哪些检查人员检查，在公开之前保密（检查不预先通知）。',
    'task.sealed.embargo': '最迟于{date}公开。',
    'task.sealed.noEmbargo': '由实施部门决定公开时间，未设定日期。',
    'task.committed.notice': '等待抽取。下列对象库和规则已经固定；公开随机数将来自：{source}。',
    'task.abandoned.notice': '本任务已作废（作废前状态：{from}）。原因：{reason}',
    'task.abandoned.noReason': '未记录原因',
    'task.abandoned.secret': '本任务已承诺但未抽取。作废时已公布其密钥，承诺的随机数一经产生，任何人都可以算出本应得到的抽取结果：密钥 {secret}',
    'task.abandoned.sealed': '作废前已完成抽取。作废时已立即公布公开阶段应公布的全部内容——密钥、随机数、种子、抽取结果、抽中名单和验证包——被放弃的抽取结果可以像其他抽取一样在下方验证。',
    'task.params.h2': '抽取规则',
    'task.params.intro': '在承诺时固定，见 parameters.tsv：',
    'p.items': '检查事项',
    'p.items.note': '检查人员须具备全部事项的资格',
    'p.departments': '参与部门',
    'p.lead': '牵头',
    'p.joint': '联合检查：每个部门各自选派检查人员',
    'p.strata': '分层',
    'p.strata.none': '不分层：整个对象库为一层',
    'p.quota': '抽取数量',
    'p.quota.default': '每层：{q}',
    'p.quota.pool': '从对象库中抽取：{q}',
    'p.quota.noDefault': '仅限下列各层',
    'p.perTarget': '每个对象的检查人员',
    'p.perTarget.joint': '每个部门{k}名',
    'p.cross': '检查人员不得与检查对象相同的',
    'p.cross.none': '不限',
    'p.cross.region': '区域',
    'p.cross.unit': '单位',
    'p.cross.both': '区域或单位',
    'p.balance': '工作量均衡',
    'p.balance.yes': '是：优先从已分配任务最少的合格人员中抽取',
    'p.balance.no': '否',
    'p.certificate': '执法证须在此日有效',
    'p.embargo': '封存至',
    'p.embargo.none': '未设定日期，由实施部门公开',
    'task.pool.h2': '检查对象库',
    'p.filter': '入库条件',
    'p.poolSize': '已承诺对象库中的对象数',
    'task.entropy.h2': '公开随机数',
    'p.entropy.format': '书写格式',
    'p.entropy.source': '来源',
    'p.entropy.min': '最少',
    'p.entropy.minValue': '{n}位',
    'p.entropy.value': '抽取时使用的随机数',
    'p.secretHash': '密钥的哈希（承诺时公布）',
    'p.secret': '密钥（公开时公布）',
    'p.seed': '种子（公开时公布）',
    'p.entropy.event': '随机数产生时间',
    'p.entropy.committedAt': '承诺时间',
    'p.entropy.noEvent': '未载明：本承诺没有写明随机数产生的时间，本页无法显示随机数产生于承诺之后；请根据来源判断',
    'p.entropy.reversed': '警告：随机数产生时间早于（或等于）承诺时间，承诺方可能事先已知该随机数。',
    'p.entropy.inOrder': '晚于承诺时间，符合要求',
    'p.notYet.entropy': '尚未抽取',
    'p.notYet.secret': '结果公开时公布',
    'entropy.dice': '骰子点数：1至6，按掷出顺序书写，不加分隔符',
    'entropy.digits': '十进制数字0至9，不加分隔符',
    'entropy.hex': '十六进制：0至9和a至f，不加分隔符',
    'task.timeline.h2': '公开日志中的进程',
    'task.timeline.empty': '尚无日志记录。',
    'tl.by': '操作人：{actor}',
    'tl.system': '系统自动执行',
    'tl.entry': '日志第{seq}条',
    'tl.hash': '哈希',
    'tl.created': '创建任务：“{name}”。',
    'tl.committed': '作出承诺：对象库（{pool}）、抽取规则和密钥的哈希已固定，公开随机数将来自：{source}。承诺摘要：{digest}',
    'tl.drawn': '以公开随机数 {entropy} 完成抽取：{drawn}。结果摘要 {digest} 已即时记入日志；结果在公开前封存。',
    'tl.drawn.failed': '抽取失败（合格检查人员不足），失败情况本身也是结果的一部分',
    'tl.revealed': '公开：密钥、种子和抽取结果已公布，任何人都可以重新计算本次抽取。',
    'tl.abandoned': '作废（作废前状态：{from}）。原因：{reason}',
    'tl.unknown': '日志记录，类型 {kind}。',
    'task.files.h2': '摘要与文件',
    'task.files.intro': '请将这些摘要与公开日志对照；也可下载文件自行核验。',
    'd.commitment': '承诺摘要',
    'd.result': '结果摘要',
    'd.result.none': '暂无，抽取时记入日志',
    'task.files.list': '文件',
    'file.parameters.tsv': '承诺时的抽取规则',
    'file.targets.tsv': '检查对象库，承诺时冻结',
    'file.inspectors.tsv': '执法检查人员库，承诺时冻结',
    'file.recusals.tsv': '回避关系：不得搭配的检查人员与对象',
    'file.commitment.tsv': '承诺文件：四个文件的摘要、密钥的哈希、随机数方案',
    'file.reveal.tsv': '密钥、随机数和种子',
    'file.result.tsv': '抽取结果：分层、抽中的对象及其检查人员',
    'file.bundle.tar': '以上全部文件的打包，用于验证',
    'task.files.command': '用命令行工具验证：',
    'task.selection.h2': '抽中的对象及检查人员',
    'task.selection.status.complete': '抽取已完成：{n}。',
    'task.selection.status.failed': '抽取失败：某个对象的合格检查人员不足。结果（包括失败情况）与其他结果一样公开、可验证。',
    'task.selection.failure': '对象 {target}、部门 {department}：经“{rule}”规则筛选后仅剩{remaining}名检查人员，需要{k}名。',
    'task.selection.filter': '筛选：对象编号或名称、分层、检查人员',
    'task.selection.count': '显示{shown}个，共{total}个。',
    'task.selection.noMatch': '没有符合筛选条件的对象。',
    'task.selection.caption': '按抽取顺序排列的抽中对象及其检查人员',
    'col.position': '序号',
    'col.target': '对象编号',
    'col.name': '名称',
    'col.stratum': '分层',
    'col.inspectors': '检查人员',
    'task.verify.h2': '验证本次抽取',
    'task.verify.intro': '您的浏览器将下载验证包，重新计算每一步：文件摘要、承诺、密钥、种子、每一层的抽取和每一名检查人员，并与公开日志中的摘要比对。不会向任何地方发送数据。',
    'task.verify.button': '验证本次抽取',
    'task.verify.downloading': '正在下载验证包…',
    'task.verify.running': '正在验证：{label}',
    'task.verify.ok': '✓ 验证通过：全部检查均通过。本次抽取正是承诺过的抽取，由公开随机数计算得出，检查人员更换与公开日志记录一致。',
    'task.verify.consistent': '✓ 自洽：全部检查均通过，但验证包未能与公开日志中的全部摘要（承诺、结果、人员更换）比对；它仅自身一致，尚未与日志锁定。',
    'task.verify.bad': '✗ 验证未通过：至少有一项检查失败。',
    'task.verify.firstFailure': '第一处差异',
    'task.verify.error': '验证无法运行：{message}',
    'task.verify.pinMismatch': '警告：任务页面上的摘要与其日志记录中的不一致。',
    'task.verify.checks': '检查项目',
    'task.verify.count': '共{total}项检查，通过{passed}项。',
    'check.passed': '通过',
    'check.failed': '未通过',
    'kind.file-digest': '文件摘要',
    'kind.commitment': '承诺摘要',
    'kind.secret': '密钥',
    'kind.seed': '种子',
    'kind.stratum': '分层抽取',
    'kind.inspectors': '检查人员',
    'kind.outcome': '抽取状态',
    'kind.result-digest': '结果摘要',
    'kind.document': '文件格式',
    'subject.digest': '摘要',
    'subject.against its hash': '与承诺的哈希比对',
    'subject.derivation': '推导',
    'subject.of every target': '全部对象',
    'subject.status': '状态',
    'rule.department': '所属部门',
    'rule.qualification': '检查资格',
    'rule.certificate': '执法证有效期',
    'rule.recusal': '回避',
    'rule.cross-region': '异地检查',
    'rule.cross-unit': '异单位检查',

    'log.h1': '公开日志',
    'log.intro': '每个任务的每一步都追加到同一条哈希链中：每条记录的哈希都包含前一条记录的哈希，因此修改、删除或调换任何一条记录，都会改变其后所有记录的哈希。下面的链头哈希因而代表整个日志。',
    'log.head': '链头：第{seq}条，哈希',
    'log.head.empty': '日志为空。',
    'log.entries': '第{from}至{to}条，共{total}条',
    'log.entries.none': '本页没有记录。',
    'log.entries.h2': '日志记录',
    'log.caption': '按链上顺序排列的日志记录',
    'log.col.seq': '序号',
    'log.col.time': '时间',
    'log.col.kind': '事项',
    'log.col.task': '任务',
    'log.col.actor': '操作人',
    'log.col.hash': '哈希',
    'log.payload': '完整记录',
    'log.task.unpublished': '第{id}号任务（未公布）',
    'log.task': '第{id}号任务',
    'log.pages': '日志分页',
    'log.first': '« 最早',
    'log.prev': '‹ 上一页',
    'log.next': '下一页 ›',
    'log.last': '最新 »',
    'log.verify.h2': '验证哈希链',
    'log.verify.intro': '您的浏览器将下载全部记录并检查：哈希链没有断裂；每个任务的承诺都在其随机数之前；每次公开都与其承诺和抽取一致。',
    'log.verify.button': '验证哈希链',
    'log.verify.fetching': '正在下载日志：{n}/{total}条…',
    'log.verify.checking': '正在检查{n}条记录…',
    'log.verify.ok': '✓ 哈希链完整：已检查{n}条记录，未发现问题。',
    'log.verify.bad': '✗ 哈希链存在问题：共{count}处。',
    'log.verify.head': '计算得到的链头哈希：{hash}',
    'log.verify.headMatch': '与服务器报告的链头一致。',
    'log.verify.headNew': '服务器的链头已前移（有新记录追加），请再次验证以包含新记录。',
    'log.verify.open': '尚未结束的任务（已承诺或已抽取，尚未公开或作废）：',
    'log.verify.noOpen': '没有尚未结束的任务。',
    'log.verify.error': '检查无法运行：{message}',
    'kind.task.created': '创建任务',
    'kind.task.committed': '作出承诺',
    'kind.task.drawn': '完成抽取（结果封存）',
    'kind.task.revealed': '公开结果',
    'kind.task.abandoned': '作废',

    'kind.task.replaced': '更换检查人员',
    'kind.result.submitted': '检查结果提交审核',
    'kind.result.returned': '检查结果退回修改',
    'kind.result.approved': '检查结果审核通过',
    'kind.result.published': '检查结果公示',
    'kind.result.corrected': '公示结果更正',
    'kind.replacement': '人员更换',
    'kind.replacement-digests': '人员更换与日志比对',
    'subject.replacement': '第{n}次',

    'tl.replaced': '以抽取方式确定第{n}次检查人员更换，并已记录。日志记入该更换记录行以抽取种子为密钥的摘要（{digest}），公开前无人能以猜测比对；该行本身（哪个对象、换下哪名检查人员、换上哪名、原因）载于 replacements.tsv，在抽取结果公开后随任务文件一并公布，届时任何人均可重新计算该摘要。',
    'tl.group': (v) => `有关检查结果的日志记录${v.n}条：${v.counts}`,
    'tl.count.result.submitted': '提交{n}条',
    'tl.count.result.returned': '退回{n}条',
    'tl.count.result.approved': '审核通过{n}条',
    'tl.count.result.published': '公示{n}条',
    'tl.count.result.corrected': '更正{n}条',
    'tl.result.submitted': '检查结果（{ref}）已录入并提交审核。',
    'tl.result.returned': '检查结果 {ref} 已退回检查人员修改。',
    'tl.result.approved': '检查结果 {ref} 已审核通过，待公示。',
    'tl.result.published': '检查结果 {ref} 已公示：{entity} — {item}：{outcome}。',
    'tl.result.published.short': '检查结果 {ref} 已公示。',
    'tl.result.corrected': '检查结果 {ref} 作为对 {corrects} 的更正予以公示。更正原因：{reason}',
    'tl.seeResult': '查看该结果',

    'rec.col.entity': '检查对象',
    'rec.col.task': '抽查任务',
    'rec.col.item': '检查事项',
    'rec.col.result': '检查结果',
    'rec.col.inspection': '检查实施',
    'rec.col.published': '公示',
    'rec.caption': '已公示的检查结果，按公示时间由新到旧排列',
    'rec.region': '区域：{region}',
    'rec.plan': '抽查计划：{plan}',
    'rec.plan.none': '抽查计划：未注明',
    'rec.type': '检查类型：{type}',
    'rec.authority': '检查实施机关：{authority}',
    'rec.completed': '检查完成日期：{date}',
    'rec.summary': '检查情况：{summary}',
    'rec.reference': '记录编号',
    'rec.late': '逾期公示（应于{date}前公示）',
    'rec.onTime': '按时公示（应于{date}前公示）',
    'rec.status.corrected': '已更正',
    'rec.status.correction': '更正记录',
    'rec.correctedBy': '此记录已被更正，不再有效。更正记录：',
    'rec.corrects': '此记录更正了记录',
    'rec.reason': '更正原因：{reason}',
    'rec.none': '无结果。',
    'inspectionType.双随机抽查': '双随机抽查',

    'outcome.selected': '是：被抽中',
    'search.col.results': '检查结果',
    'search.results.h3': '已公示的检查结果',
    'search.results.none': '该对象尚无已公示的检查结果。',
    'search.results.count': (v) => `共${v.n}条已公示的检查结果：`,
    'search.results.all': '在检查结果页面查看其全部结果',

    'fact.results': '已公示结果',
    'task.results.h2': '已公示的检查结果',
    'task.results.intro': '本任务抽中对象的检查结果，以公示内容为准。',
    'task.results.none': '本任务尚无已公示的检查结果。',
    'task.results.count': (v) => `共${v.n}条公示记录。`,
    'task.results.more': '显示最新的{shown}条，全部{total}条请在检查结果页面查看。',
    'task.results.all': '在检查结果页面查看、筛选和下载这些结果',
    'task.replacements.h2': '检查人员更换',
    'task.replacements.intro': '被抽中的检查人员因故不能参加（如生病、事后发现需要回避）时，替换人员同样以抽取方式产生：从同样符合条件的检查人员中，用本次抽取的种子抽取，而不是指定。每次更换都即时记入日志，并在结果公开后列于此处及 replacements.tsv 中；下方的验证会逐一核对。',
    'task.replacements.none': '本任务没有更换过检查人员。',
    'task.replacements.caption': '检查人员更换记录，按更换顺序排列',
    'rep.col.number': '序号',
    'rep.col.target': '检查对象',
    'rep.col.department': '部门',
    'rep.col.change': '换下 → 换上',
    'rep.col.reason': '原因',
    'rep.col.made': '更换时间',
    'rep.by': '操作人：{who}',
    'file.replacements.tsv': '检查人员更换记录：抽取后换下的人员和抽中的替换人员',

    'res.h1': '已公示的检查结果',
    'res.intro': '被抽中对象的检查结果，按国家企业信用信息公示系统的抽查结果字段公示：抽查计划、抽查任务、检查类型、检查实施机关、检查完成日期、检查事项和检查结果。更正不会删除原记录：原记录继续列出，标明“已更正”，并链接到更正记录。',
    'res.filter.h2': '筛选检查结果',
    'res.f.outcome': '检查结果',
    'res.f.outcome.any': '全部结果',
    'res.f.region': '区域',
    'res.f.region.any': '全部区域',
    'res.f.item': '检查事项',
    'res.f.item.any': '全部事项',
    'res.f.task': '抽查任务',
    'res.f.task.any': '全部任务',
    'res.f.task.option': '第{id}号：{name}',
    'res.f.target': '对象编号',
    'res.f.target.hint': '统一社会信用代码，须完整准确。',
    'res.f.from': '检查完成日期自',
    'res.f.to': '检查完成日期至',
    'res.f.corrected': '同时列出已被更正的原记录',
    'res.f.apply': '查询',
    'res.f.reset': '清除筛选条件',
    'res.f.error': '筛选条件“{field}”有误：{message}',
    'res.list.h2': '查询结果',
    'res.summary': '第{from}至{to}条，共{total}条，按公示时间由新到旧排列。',
    'res.summary.none': '没有符合筛选条件的已公示结果。',
    'res.pages': '结果分页',
    'res.first': '« 最新',
    'res.prev': '‹ 较新',
    'res.next': '较早 ›',
    'res.download.label': '下载：',
    'res.download.intro': '符合上述筛选条件的全部结果：',
    'res.download.csvZh': 'CSV（中文表头）',
    'res.download.csvEn': 'CSV（英文表头）',
    'res.download.json': 'JSON（接口数据）',
    'res.download.jsonNote': '（每次请求最多500条，更多请加 offset= 参数）',

    'stats.h1': '统计',
    'stats.intro': '统计有效的已公示结果（被更正的结果只按其更正记录计一次），以及每月的抽取次数和结果公示数。每张图表下方都附有数据表。',
    'stats.published': '有效的已公示结果',
    'stats.rate': '按时公示率',
    'stats.outcome.h2': '按检查结果统计',
    'stats.region.h2': '按检查对象所在区域统计',
    'stats.risk.h2': '按检查对象风险等级统计',
    'stats.month.h2': '每月抽取与公示',
    'stats.ontime.h2': '20个工作日内公示情况',
    'stats.table': '以数据表查看',
    'stats.col.key.outcome': '检查结果',
    'stats.col.key.region': '区域',
    'stats.col.key.risk': '风险等级',
    'stats.col.count': '结果数',
    'stats.col.share': '占比',
    'stats.col.month': '月份',
    'stats.col.status': '公示情况',
    'stats.series.draws': '抽取次数',
    'stats.series.publications': '公示结果数',
    'stats.ontime.on_time': '按时公示',
    'stats.ontime.late': '逾期公示',
    'stats.ontime.overdue_unpublished': '已逾期、尚未公示',
    'stats.rate.text': '{rate}的检查结果在检查完成后20个工作日内公示。',
    'stats.rate.none': '尚无到期的检查结果，暂无公示率。',
    'stats.empty': '尚无公示内容。',
    'stats.seeResults': '查看这些结果',
    'stats.desc': '{title}：{items}。',
    'stats.desc.item': '{label}：{value}',
    'stats.month.desc': '{month}：抽取{draws}次，公示结果{publications}条',
    'risk.class': '{c}级',
    'month.short': (v) => `${v.m}月`,

    'how.h1': '原理说明',
  },
};

addMessages(MESSAGES);

/** Departments and flags the demo directories use; anything else shows its code. */
const DEPARTMENTS = {
  market: { en: 'Market regulation', zh: '市场监管' },
  health: { en: 'Health', zh: '卫生健康' },
};
const FLAGS = {
  abnormal: { en: 'listed for abnormal operation', zh: '列入经营异常名录' },
};

/** An alert box for a failed request (the server's message stays as sent). */
export function errorBox(error) {
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert' },
    () => (error && error.status === 0 ? t('error.network') : t('error.load', { message: error.message })),
  );
}

export const taskFileUrl = (id, name) =>
  name === 'bundle.tar'
    ? `/api/public/tasks/${id}/bundle.tar`
    : `/api/public/tasks/${id}/files/${encodeURIComponent(name)}`;

// ------------------------------------------------------------ formatting ---

const pad = (n, width = 2) => String(n).padStart(width, '0');

/** "2026-11-27 08:28:36" in the reader's time zone; null → ''. */
export function formatTime(iso, withSeconds = true) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
  return `${date} ${time}`;
}

export function formatDay(iso) {
  return formatTime(iso).slice(0, 10);
}

/** "UTC+8" for the reader's time zone. */
export function zoneLabel() {
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '−';
  const abs = Math.abs(minutes);
  return `UTC${sign}${Math.floor(abs / 60)}${abs % 60 ? `:${pad(abs % 60)}` : ''}`;
}

/** <time> with the reader's local time, the logged instant in its title. */
export function timeEl(iso, dayOnly = false) {
  return h('time', { datetime: iso, title: iso }, dayOnly ? formatDay(iso) : formatTime(iso));
}

export function shortHash(hex, n = 12) {
  return hex && hex.length > n ? `${hex.slice(0, n)}…` : hex || '';
}

/** An abbreviated hash, the full one in its title and for copying. */
export function hashEl(hex, n = 12) {
  return h('code', { class: 'hash', title: hex, 'data-full': hex }, shortHash(hex, n));
}

/** A full digest, selectable in one go. */
export function digestEl(hex, id) {
  return h('code', { class: 'digest', id }, hex);
}

export function stateLabel(state, short = false) {
  const key = `state.${short ? 'short.' : ''}${String(state).replace(/-/g, '_')}`;
  return has(key) ? t(key) : state;
}

export function stateBadge(state, id) {
  return h('span', { class: 'state', id, 'data-state': state }, () => stateLabel(state));
}

export function departmentLabel(code) {
  const known = DEPARTMENTS[code];
  return known ? pick(known) : code;
}

function flagLabel(flag) {
  const known = FLAGS[flag];
  return known ? `${pick(known)} (${flag})` : flag;
}

export function kindLabel(kind) {
  const key = `kind.${kind}`;
  return has(key) ? t(key) : kind;
}

// The fixed vocabulary of inspection outcomes, in both languages, from the
// server (the national record's wording is its to keep).
let outcomesRequest = null;
const outcomeNames = new Map();

/** Loads the outcome vocabulary once; resolves to [{code, label_zh, label_en}] ([] if unavailable). */
export function loadOutcomes() {
  if (!outcomesRequest) {
    outcomesRequest = api('/api/public/outcomes')
      .then((outcomes) => {
        for (const outcome of outcomes) outcomeNames.set(outcome.code, outcome);
        return outcomes;
      })
      .catch(() => {
        outcomesRequest = null;
        return [];
      });
  }
  return outcomesRequest;
}

/** An outcome code's label in the current language; `fallback` (the record's own label) until the vocabulary is known. */
export function outcomeLabel(code, fallback) {
  const known = outcomeNames.get(code);
  if (known) return getLang() === 'zh' ? known.label_zh : known.label_en;
  return fallback || code;
}

function list(items) {
  return getLang() === 'zh' ? items.join('、') : items.join(', ');
}

function listAnd(items) {
  if (getLang() === 'zh') return items.join('、');
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function countTargets(n) {
  return t('count.targets', { n });
}

// ------------------------------------------ the rules in plain words ---

const STRATA_NAMES = {
  region: { en: 'region', zh: '区域', enPossessive: "each region's targets" },
  industry: { en: 'industry', zh: '行业', enPossessive: "each industry's targets" },
  risk_class: { en: 'risk class', zh: '风险等级', enPossessive: "each risk class's targets" },
  unit: { en: 'supervising unit', zh: '监管单位', enPossessive: "each supervising unit's targets" },
};

function percent(ratio) {
  const number = String(ratio).replace('%', '').trim();
  return getLang() === 'zh' ? `${number}%` : `${number} %`;
}

function quotaText(rule) {
  if (!rule) return '';
  if (rule.ratio !== undefined && rule.ratio !== null) return percent(rule.ratio);
  if (rule.count !== undefined && rule.count !== null) return countTargets(rule.count);
  return '';
}

function strataWords(strataBy) {
  return listAnd(strataBy.map((c) => (STRATA_NAMES[c] ? pick(STRATA_NAMES[c]) : c)));
}

function stratumName(key, strataBy) {
  if (strataBy.length === 1 && strataBy[0] === 'risk_class') {
    return getLang() === 'zh' ? `${key}级` : `class ${key}`;
  }
  return key;
}

function overrideText(key, rule, strataBy) {
  const name = stratumName(key, strataBy);
  if (getLang() === 'zh') {
    if (rule.ratio != null) return `${name}${percent(rule.ratio)}`;
    return `${name}${rule.count}个`;
  }
  if (rule.ratio != null) return `${name} at ${percent(rule.ratio)}`;
  return `${name}: ${countTargets(rule.count)}`;
}

export function taskDepartments(task) {
  const def = task.definition || {};
  return def.departments && def.departments.length ? def.departments : [task.department];
}

/** The quota part: "5 % of each risk class's targets, class C at 20 %". */
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

/** The pool filter in words. */
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

// ------------------------------------------------------- page chrome ---

function setupChrome() {
  const button = $('#lang-switch');
  if (button) {
    const label = () => {
      button.setAttribute('lang', getLang() === 'en' ? 'zh-CN' : 'en');
    };
    label();
    onLangChange(label);
    button.addEventListener('click', () => setLang(getLang() === 'en' ? 'zh' : 'en'));
  }
  const page = document.body.dataset.page;
  for (const link of document.querySelectorAll('nav.site-nav a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
  }
}

let titleFn = null;

export function setTitle(render) {
  if (!titleFn) onLangChange(() => (document.title = titleFn()));
  titleFn = render;
  document.title = render();
}

// ----------------------------------------------------------- home page ---

function taskCard(task) {
  const def = task.definition || {};
  const steps = [
    ['created', task.created_at],
    ['committed', task.committed_at],
    ['drawn', task.drawn_at],
    ['revealed', task.revealed_at],
    ['abandoned', task.abandoned_at],
  ].filter(([, at]) => at);
  const drawn =
    task.drawn_count === null || task.drawn_count === undefined
      ? task.state === 'abandoned'
        ? '—'
        : tx('notYet')
      : () => countTargets(task.drawn_count);
  return h(
    'li',
    { class: 'task-card', 'data-task-id': String(task.id), 'data-state': task.state },
    h(
      'div',
      { class: 'task-card-head' },
      h('h3', {}, h('a', { href: `task.html?id=${task.id}` }, task.name)),
      h('span', { class: 'task-no' }, tx('home.taskNo', { id: task.id })),
    ),
    h('p', {}, stateBadge(task.state), task.state === 'abandoned' && task.draw_published ? [' ', h('span', { class: 'muted', 'data-draw-published': 'true' }, tx('home.abandonedDrawPublished'))] : null),
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, tx('fact.authority')), h('dd', {}, () => departmentLabel(task.department))),
      h('div', {}, h('dt', {}, tx('fact.items')), h('dd', {}, (def.items || []).join(', '))),
      h(
        'div',
        {},
        h('dt', {}, tx('fact.pool')),
        h('dd', {}, task.pool_size == null ? '—' : () => countTargets(task.pool_size)),
      ),
      h('div', {}, h('dt', {}, tx('fact.drawn')), h('dd', {}, drawn)),
    ),
    h(
      'ol',
      { class: 'steps', 'aria-label': tx('fact.steps') },
      steps.map(([step, at]) =>
        h('li', { 'data-step': step }, h('span', { class: 'step-name' }, tx(`step.${step}`)), ' ', timeEl(at, true)),
      ),
    ),
  );
}

function entityOutcome(pool) {
  // `selected` is null until the reveal; older servers send only drawn_position.
  const revealed = pool.state === 'revealed' || pool.state === 'results_published' || pool.state === 'results-published';
  const position = pool.drawn_position ?? null;
  if (pool.selected === true || (revealed && pool.selected !== false && position !== null)) {
    return h(
      'span',
      { class: 'outcome outcome-drawn', 'data-selected': 'true' },
      '✓ ',
      position !== null ? tx('outcome.drawn', { n: position }) : tx('outcome.selected'),
    );
  }
  if (pool.selected === false || revealed) {
    return h('span', { class: 'outcome outcome-not', 'data-selected': 'false' }, tx('outcome.notDrawn'));
  }
  switch (pool.state) {
    case 'drawn':
      return h('span', { class: 'outcome outcome-sealed', 'data-selected': 'sealed' }, tx('outcome.sealed'));
    case 'committed':
      return h('span', { class: 'outcome' }, tx('outcome.committed'));
    case 'abandoned':
      return h('span', { class: 'outcome' }, tx('outcome.abandoned'));
    default:
      return h('span', { class: 'outcome' }, tx('outcome.unknown'));
  }
}

function renderEntityResults(view, records) {
  const results = view.results || [];
  const out = [h('h3', { id: 'entity-results-title' }, tx('search.results.h3'))];
  if (!results.length) {
    out.push(h('p', { id: 'entity-results', 'data-count': '0' }, tx('search.results.none')));
    return out;
  }
  out.push(
    h('p', {}, tx('search.results.count', { n: results.length })),
    records.resultsTable(results, { id: 'entity-results', entity: false, labelledBy: 'entity-results-title' }),
    h('p', {}, h('a', { href: `results.html?target=${encodeURIComponent(view.id)}` }, tx('search.results.all'))),
  );
  return out;
}

function renderEntity(view, records) {
  const out = [h('p', { class: 'entity-name' }, h('strong', {}, view.name || view.id), ' ', h('code', {}, view.id))];
  if (!view.pools.length) {
    out.push(h('p', {}, tx('search.noPools')));
    out.push(renderEntityResults(view, records));
    return out;
  }
  out.push(h('p', {}, tx('search.pools', { n: view.pools.length })));
  out.push(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'stack' },
        h('caption', { class: 'visually-hidden' }, tx('search.caption', { id: view.id })),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, tx('search.col.task')),
            h('th', { scope: 'col' }, tx('search.col.state')),
            h('th', { scope: 'col' }, tx('search.col.outcome')),
          ),
        ),
        h(
          'tbody',
          {},
          view.pools.map((pool) =>
            h(
              'tr',
              { 'data-task-id': String(pool.task), 'data-state': pool.state },
              h(
                'th',
                { scope: 'row', 'data-label': tx('search.col.task') },
                h('a', { href: `task.html?id=${pool.task}` }, pool.task_name),
              ),
              h('td', { 'data-label': tx('search.col.state') }, stateBadge(pool.state)),
              h(
                'td',
                { 'data-label': tx('search.col.outcome') },
                entityOutcome(pool),
                pool.drawn_position != null
                  ? [' · ', h('a', { href: `task.html?id=${pool.task}&q=${encodeURIComponent(view.id)}#selection-section` }, tx('outcome.seeSelection'))]
                  : null,
              ),
            ),
          ),
        ),
      ),
    ),
  );
  out.push(renderEntityResults(view, records));
  return out;
}

async function lookUpEntity(raw) {
  try {
    return await api(`/api/public/entities/${encodeURIComponent(raw)}`);
  } catch (error) {
    // Credit codes are upper case; forgive a code typed in lower case.
    if (error.status === 404 && raw.toUpperCase() !== raw) {
      return api(`/api/public/entities/${encodeURIComponent(raw.toUpperCase())}`);
    }
    throw error;
  }
}

function setupEntitySearch() {
  const form = $('#entity-search');
  const input = $('#entity-id');
  const result = $('#entity-result');
  if (!form) return;
  let request = 0;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const id = input.value.trim();
    const mine = ++request;
    if (!id) {
      result.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert' }, tx('search.empty')));
      input.focus();
      return;
    }
    // The searched id goes into the address, so a link can show an entity.
    history.replaceState(null, '', `${location.pathname}?entity=${encodeURIComponent(id)}`);
    result.setAttribute('aria-busy', 'true');
    result.replaceChildren(h('p', {}, tx('search.busy')));
    try {
      const [view, records] = await Promise.all([lookUpEntity(id), import('./records.js'), loadOutcomes()]);
      if (mine !== request) return;
      result.dataset.found = 'true';
      fill(result, renderEntity(view, records));
    } catch (error) {
      if (mine !== request) return;
      result.dataset.found = 'false';
      if (error.status === 404) {
        result.replaceChildren(h('p', { class: 'notice notice-warn', role: 'alert' }, tx('search.notFound', { id })));
      } else {
        result.replaceChildren(errorBox(error));
      }
    } finally {
      if (mine === request) result.removeAttribute('aria-busy');
    }
  });
  const initial = new URLSearchParams(location.search).get('entity');
  if (initial && initial.trim()) {
    input.value = initial.trim();
    form.requestSubmit();
  }
}

async function pageHome() {
  setTitle(() => t('title.home'));
  setupEntitySearch();
  const list = $('#tasks');
  list.setAttribute('aria-busy', 'true');
  try {
    const tasks = await api('/api/public/tasks');
    tasks.sort((a, b) => (b.created_at || '').localeCompare(a.created_at || '') || b.id - a.id);
    list.replaceChildren(...tasks.map(taskCard));
    if (!tasks.length) list.replaceChildren(h('li', { class: 'empty' }, tx('home.none')));
  } catch (error) {
    list.replaceChildren(h('li', { class: 'empty' }, errorBox(error)));
  } finally {
    list.removeAttribute('aria-busy');
  }
}

// ----------------------------------------------------------- task page ---

function parsePayload(entry) {
  try {
    return JSON.parse(entry.payload);
  } catch (_) {
    return {};
  }
}

function describeEntry(entry, task) {
  const p = parsePayload(entry);
  switch (entry.kind) {
    case 'task.created':
      return t('tl.created', { name: p.name ?? (task ? task.name : '') });
    case 'task.committed':
      return t('tl.committed', {
        pool: p.pool_size != null ? countTargets(p.pool_size) : '?',
        source: p.entropy_source ?? '',
        digest: shortHash(p.commitment),
      });
    case 'task.drawn':
      return t('tl.drawn', {
        entropy: p.entropy ?? '',
        drawn: p.status === 'failed' ? t('tl.drawn.failed') : countTargets(p.drawn ?? 0),
        digest: shortHash(p.result),
      });
    case 'task.revealed':
      return t('tl.revealed');
    case 'task.abandoned':
      return t('tl.abandoned', {
        from: p.from ? stateLabel(p.from, true) : '?',
        reason: p.reason || t('task.abandoned.noReason'),
      });
    case 'task.replaced':
      return t('tl.replaced', { n: p.replacement ?? '?', digest: shortHash(p.keyed_line ?? p.line) });
    case 'result.submitted':
    case 'result.returned':
    case 'result.approved':
      return t(`tl.${entry.kind}`, { ref: p.result ?? '' });
    case 'result.published': {
      const r = p.record || {};
      if (!r.target_name && !r.item_name) return t('tl.result.published.short', { ref: p.result ?? '' });
      return t('tl.result.published', {
        ref: p.result ?? '',
        entity: r.target_name || r.target || '',
        item: r.item_name || r.item || '',
        outcome: outcomeLabel(r.outcome, r.outcome_label),
      });
    }
    case 'result.corrected':
      return t('tl.result.corrected', { ref: p.result ?? '', corrects: p.corrects ?? '', reason: p.reason ?? '' });
    default:
      return t('tl.unknown', { kind: entry.kind });
  }
}

/** Where a published (or correcting) result of a log entry is listed, or null. */
function resultHref(entry, task) {
  if (entry.kind !== 'result.published' && entry.kind !== 'result.corrected') return null;
  const p = parsePayload(entry);
  if (!p.result) return null;
  const target = p.record && p.record.target ? `&target=${encodeURIComponent(p.record.target)}` : '';
  return `results.html?task=${task ? task.id : p.task}${target}#${encodeURIComponent(p.result)}`;
}

function timelineItem(entry, task) {
  const href = resultHref(entry, task);
  return h(
    'li',
    { 'data-kind': entry.kind, 'data-seq': String(entry.seq) },
    h('p', { class: 'tl-head' }, h('strong', {}, () => kindLabel(entry.kind)), ' ', timeEl(entry.at)),
    h('p', { class: 'tl-text' }, () => describeEntry(entry, task), href ? [' ', h('a', { href }, tx('tl.seeResult'))] : null),
    h(
      'p',
      { class: 'meta' },
      entry.actor === 'system' ? tx('tl.system') : tx('tl.by', { actor: entry.actor }),
      ' · ',
      h('a', { href: `log.html?after=${Math.max(0, entry.seq - 1)}#seq-${entry.seq}` }, tx('tl.entry', { seq: entry.seq })),
      ' · ',
      tx('tl.hash'),
      ' ',
      hashEl(entry.hash),
    ),
  );
}

/**
 * The timeline's items; runs of result entries (three entries a result,
 * hundreds of results a task) fold into one item that opens to show them.
 */
function timelineItems(entries, task) {
  const items = [];
  let run = [];
  const flush = () => {
    if (run.length < 3) {
      items.push(...run.map((e) => timelineItem(e, task)));
    } else {
      const entries = run;
      const counts = () => {
        const byKind = new Map();
        for (const e of entries) byKind.set(e.kind, (byKind.get(e.kind) || 0) + 1);
        return list([...byKind].map(([kind, n]) => (has(`tl.count.${kind}`) ? t(`tl.count.${kind}`, { n }) : `${kind} ${n}`)));
      };
      items.push(
        h(
          'li',
          { class: 'tl-group', 'data-kind': 'result' },
          h(
            'details',
            {},
            h('summary', {}, () => t('tl.group', { n: entries.length, counts: counts() })),
            h('ol', { class: 'timeline timeline-nested' }, entries.map((e) => timelineItem(e, task))),
          ),
        ),
      );
    }
    run = [];
  };
  for (const entry of entries) {
    if (entry.kind.startsWith('result.')) {
      run.push(entry);
    } else {
      flush();
      items.push(timelineItem(entry, task));
    }
  }
  flush();
  return items;
}

function row(labelKey, value) {
  return h('div', {}, h('dt', {}, tx(labelKey)), h('dd', {}, value));
}

function renderParameters(task) {
  const def = task.definition || {};
  const departments = taskDepartments(task);
  const strataBy = def.strata_by || [];
  const cross = def.cross || [];
  const crossKey =
    cross.includes('region') && cross.includes('unit')
      ? 'p.cross.both'
      : cross.includes('region')
        ? 'p.cross.region'
        : cross.includes('unit')
          ? 'p.cross.unit'
          : 'p.cross.none';
  const overrides = Object.entries(def.quota_by_stratum || {});
  return [
    h('p', { class: 'rules-summary', id: 'rules-summary' }, () => describeRules(task)),
    h('p', { class: 'muted' }, tx('task.params.intro')),
    h(
      'dl',
      { class: 'facts facts-wide' },
      row('p.items', [(def.items || []).map((item) => h('code', {}, item)).reduce((acc, el) => (acc.length ? [...acc, ', ', el] : [el]), []), ' (', tx('p.items.note'), ')']),
      row(
        'p.departments',
        [
          () =>
            list(
              departments.map((d) =>
                d === task.department && departments.length > 1 ? `${departmentLabel(d)} (${t('p.lead')})` : departmentLabel(d),
              ),
            ),
          departments.length > 1 ? [' — ', tx('p.joint')] : null,
        ],
      ),
      row('p.strata', strataBy.length ? () => strataWords(strataBy) : tx('p.strata.none')),
      row('p.quota', [
        def.quota
          ? () => t(strataBy.length ? 'p.quota.default' : 'p.quota.pool', { q: quotaText(def.quota) })
          : tx('p.quota.noDefault'),
        overrides.length
          ? h('ul', { class: 'plain' }, overrides.map(([key, rule]) => h('li', {}, () => overrideText(key, rule, strataBy))))
          : null,
      ]),
      row(
        'p.perTarget',
        departments.length > 1 ? tx('p.perTarget.joint', { k: def.inspectors_per_target }) : String(def.inspectors_per_target),
      ),
      row('p.cross', tx(crossKey)),
      row('p.balance', tx(def.balance === false ? 'p.balance.no' : 'p.balance.yes')),
      row('p.certificate', h('time', { datetime: def.certificate_date }, def.certificate_date)),
      row('p.embargo', def.embargo_until ? h('time', { datetime: def.embargo_until }, def.embargo_until) : tx('p.embargo.none')),
    ),
  ];
}

function committedPayload(task) {
  const entry = (task.timeline || []).find((e) => e.kind === 'task.committed');
  return entry ? parsePayload(entry) : {};
}

/**
 * What the task's log entries pin of its bundle beyond the page's digests (§10): the line
 * digests of its replacements in number order (keyed_line, or line in entries logged
 * before keyed digests) and the time of its commitment.
 */
function loggedPins(task) {
  const timeline = task.timeline || [];
  const replaced = timeline
    .filter((e) => e.kind === 'task.replaced')
    .map(parsePayload)
    .sort((a, b) => (a.replacement ?? 0) - (b.replacement ?? 0));
  const committed = timeline.find((e) => e.kind === 'task.committed');
  return {
    replacements: replaced.map((p) => p.keyed_line ?? p.line ?? null),
    committedAt: committed ? committed.at : null,
  };
}

function drawnPayload(task) {
  const entry = (task.timeline || []).find((e) => e.kind === 'task.drawn');
  return entry ? parsePayload(entry) : {};
}

function renderEntropy(task) {
  const def = task.definition || {};
  const plan = def.entropy || {};
  const committed = committedPayload(task);
  const format = committed.entropy_format || plan.format;
  const notYet = (key) => h('span', { class: 'muted' }, tx(key));
  return h(
    'dl',
    { class: 'facts facts-wide' },
    row('p.entropy.format', [h('code', {}, format), ' — ', has(`entropy.${format}`) ? tx(`entropy.${format}`) : null]),
    row('p.entropy.source', committed.entropy_source || plan.source),
    renderEntropyEvent(task, committed.entropy_event ?? plan.event_at ?? null),
    plan.min_length ? row('p.entropy.min', tx('p.entropy.minValue', { n: plan.min_length })) : null,
    row('p.entropy.value', task.entropy ? h('code', { class: 'digest' }, task.entropy) : notYet('p.notYet.entropy')),
    committed.secret_hash ? row('p.secretHash', digestEl(committed.secret_hash)) : null,
    row('p.secret', task.secret ? digestEl(task.secret) : notYet('p.notYet.secret')),
    row('p.seed', task.seed ? digestEl(task.seed) : notYet('p.notYet.secret')),
  );
}

/** The committed event time beside the commitment time (§3.3), flagging a reversal. */
function renderEntropyEvent(task, event) {
  const entry = (task.timeline || []).find((e) => e.kind === 'task.committed');
  const committedAt = entry ? entry.at : task.committed_at;
  if (!event) return committedAt ? row('p.entropy.event', h('span', { class: 'muted', id: 'entropy-event' }, tx('p.entropy.noEvent'))) : null;
  const reversed = committedAt && !(Date.parse(event) > Date.parse(committedAt));
  return [
    row('p.entropy.event', [
      h('time', { datetime: event, id: 'entropy-event' }, event),
      committedAt && !reversed ? [' — ', h('span', { class: 'muted' }, tx('p.entropy.inOrder'))] : null,
    ]),
    committedAt ? row('p.entropy.committedAt', timeEl(committedAt)) : null,
    reversed ? h('div', { class: 'notice notice-warn', role: 'alert', id: 'entropy-reversed' }, h('p', {}, tx('p.entropy.reversed'))) : null,
  ];
}

function renderFiles(task) {
  const files = task.files || [];
  const bundle = `task-${task.id}-bundle.tar`;
  return [
    h('p', {}, tx('task.files.intro')),
    h(
      'dl',
      { class: 'facts facts-wide' },
      row('d.commitment', task.commitment_digest ? digestEl(task.commitment_digest, 'commitment-digest') : '—'),
      row(
        'd.result',
        task.result_digest ? digestEl(task.result_digest, 'result-digest') : h('span', { class: 'muted' }, tx('d.result.none')),
      ),
    ),
    files.length
      ? [
          h('h3', {}, tx('task.files.list')),
          h(
            'ul',
            { class: 'file-list' },
            files.map((name) =>
              h(
                'li',
                { 'data-file': name },
                h('a', { href: taskFileUrl(task.id, name), download: `task-${task.id}-${name}` }, name),
                ' — ',
                has(`file.${name}`) ? tx(`file.${name}`) : '',
              ),
            ),
          ),
        ]
      : null,
    (task.state === 'revealed' || task.draw_published) && task.commitment_digest && task.result_digest
      ? [
          h('p', {}, tx('task.files.command')),
          h(
            'pre',
            { class: 'command' },
            h('code', {}, `opendraw verify ${bundle} --log ${location.origin}`),
          ),
        ]
      : null,
  ];
}

function parseFailure(resultTsv) {
  const line = resultTsv.split('\n').find((l) => l.startsWith('failure\t'));
  if (!line) return null;
  const [, target, department, rule, remaining, k] = line.split('\t');
  return { target, department, rule, remaining, k };
}

function inspectorGroups(inspectors, joint) {
  // Group by department, keeping each department's order as given.
  const groups = new Map();
  for (const inspector of inspectors) {
    if (!groups.has(inspector.department)) groups.set(inspector.department, []);
    groups.get(inspector.department).push(inspector);
  }
  const departments = [...groups.keys()].sort();
  return departments.map((department) =>
    h(
      'div',
      { class: 'inspector-group', 'data-department': department },
      joint ? h('span', { class: 'dept' }, () => `${departmentLabel(department)}: `) : null,
      groups.get(department).map((inspector, i) => [
        i ? (getLang() === 'zh' ? '、' : ', ') : '',
        h('span', { class: 'inspector' }, inspector.name || inspector.id, inspector.name ? h('span', { class: 'id' }, ` (${inspector.id})`) : null),
      ]),
    ),
  );
}

function renderSelection(task, selection, container, initialFilter) {
  const joint = taskDepartments(task).length > 1;
  const rows = selection.map((target) => {
    const text = [
      target.target,
      target.name || '',
      target.stratum,
      ...target.inspectors.flatMap((i) => [i.id, i.name || '', i.department, departmentLabel(i.department)]),
    ]
      .join('\n')
      .toLowerCase();
    const tr = h(
      'tr',
      { 'data-target': target.target, 'data-position': String(target.position) },
      h('td', { class: 'num', 'data-label': tx('col.position') }, String(target.position)),
      h('th', { scope: 'row', 'data-label': tx('col.target') }, h('code', {}, target.target)),
      h('td', { 'data-label': tx('col.name') }, target.name || '—'),
      h('td', { 'data-label': tx('col.stratum') }, target.stratum),
      h('td', { 'data-label': tx('col.inspectors') }, inspectorGroups(target.inspectors, joint)),
    );
    return { tr, text };
  });
  const input = h('input', {
    id: 'selection-filter',
    type: 'search',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'selection-count',
    'aria-controls': 'selection',
  });
  if (initialFilter) input.value = initialFilter;
  let shown = rows.length;
  const count = live('p', { id: 'selection-count', class: 'muted', 'aria-live': 'polite' }, () =>
    shown ? t('task.selection.count', { shown, total: rows.length }) : t('task.selection.noMatch'),
  );
  const apply = () => {
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    shown = 0;
    for (const { tr, text } of rows) {
      const visible = words.every((w) => text.includes(w));
      tr.hidden = !visible;
      if (visible) shown++;
    }
    count.textContent = shown ? t('task.selection.count', { shown, total: rows.length }) : t('task.selection.noMatch');
  };
  input.addEventListener('input', apply);
  container.append(
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'selection-filter' }, tx('task.selection.filter')),
      input,
    ),
    count,
    h(
      'div',
      { class: 'table-wrap', role: 'region', 'aria-label': tx('task.selection.caption'), tabindex: '0' },
      h(
        'table',
        { id: 'selection', class: 'stack selection' },
        h('caption', {}, tx('task.selection.caption')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, tx('col.position')),
            h('th', { scope: 'col' }, tx('col.target')),
            h('th', { scope: 'col' }, tx('col.name')),
            h('th', { scope: 'col' }, tx('col.stratum')),
            h('th', { scope: 'col' }, tx('col.inspectors')),
          ),
        ),
        h('tbody', {}, rows.map((r) => r.tr)),
      ),
    ),
  );
  apply();
}

function checkSubject(check) {
  if (check.kind === 'replacement' && /^[0-9]+$/.test(check.subject)) return tx('subject.replacement', { n: check.subject });
  const subjectKey = `subject.${check.subject}`;
  return has(subjectKey) ? tx(subjectKey) : check.subject;
}

function checkItem(check) {
  return h(
    'li',
    { class: `check ${check.passed ? 'pass' : 'fail'}`, 'data-kind': check.kind, 'data-subject': check.subject },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, check.passed ? '✓' : '✗'),
    h('span', { class: 'word' }, tx(check.passed ? 'check.passed' : 'check.failed')),
    h('span', { class: 'check-kind' }, () => kindLabel(check.kind)),
    h('span', { class: 'check-subject' }, checkSubject(check)),
    check.detail ? h('span', { class: 'check-detail', lang: 'en' }, check.detail) : null,
  );
}

function setupVerify(task, section) {
  const button = h('button', { type: 'button', id: 'verify-button', class: 'primary' }, tx('task.verify.button'));
  const progress = h('progress', { id: 'verify-progress', max: '1', value: '0', hidden: true, 'aria-labelledby': 'verify-status' });
  const status = h('p', { id: 'verify-status', class: 'muted', 'aria-live': 'polite' });
  const verdict = h('div', { id: 'verify-verdict', class: 'verdict', hidden: true, role: 'status' });
  // #verify-first-failure exists only while a failed report is shown.
  let firstFailure = null;
  const clearFailure = () => {
    if (firstFailure) firstFailure.remove();
    firstFailure = null;
  };
  const report = h('ul', { id: 'verify-report', class: 'checks', 'aria-label': tx('task.verify.checks') });
  section.append(
    h('p', {}, tx('task.verify.intro')),
    h('p', {}, button),
    progress,
    status,
    verdict,
    report,
  );

  // Pins: the digests the task page states, which must be the logged ones.
  const pins = { commitment: task.commitment_digest, result: task.result_digest, ...loggedPins(task) };
  const logged = { commitment: committedPayload(task).commitment, result: drawnPayload(task).result };
  const pinsAgree =
    (!logged.commitment || logged.commitment === pins.commitment) && (!logged.result || logged.result === pins.result);

  let statusText = () => '';
  const setStatus = (fn) => {
    statusText = fn;
    status.textContent = fn();
  };
  onLangChange(() => {
    status.textContent = statusText();
  });

  let worker = null;
  const finish = () => {
    if (worker) worker.terminate();
    worker = null;
    button.disabled = false;
  };
  const fail = (message) => {
    finish();
    progress.hidden = true;
    setStatus(() => '');
    verdict.hidden = false;
    verdict.dataset.verified = 'false';
    verdict.className = 'verdict verdict-error';
    verdict.setAttribute('role', 'alert');
    fill(verdict, h('p', {}, tx('task.verify.error', { message })));
  };

  const show = (result) => {
    finish();
    progress.value = 1;
    setStatus(() => '');
    report.replaceChildren(...(result.checks || []).map(checkItem));
    const ok = result.verified === true;
    verdict.hidden = false;
    verdict.className = `verdict ${ok ? 'verdict-ok' : 'verdict-bad'}`;
    fill(
      verdict,
      h('p', {}, tx(ok ? (result.pinned ? 'task.verify.ok' : 'task.verify.consistent') : 'task.verify.bad')),
      h('p', { class: 'verdict-count' }, tx('task.verify.count', { passed: (result.checks || []).filter((c) => c.passed).length, total: (result.checks || []).length })),
      pinsAgree ? null : h('p', {}, tx('task.verify.pinMismatch')),
    );
    verdict.dataset.verified = ok ? 'true' : 'false';
    verdict.dataset.pinned = result.pinned ? 'true' : 'false';
    const first = result.firstFailure || (result.checks || []).find((c) => !c.passed) || null;
    clearFailure();
    if (!ok && first) {
      firstFailure = h(
        'div',
        { id: 'verify-first-failure', class: 'first-failure', role: 'alert' },
        h('h3', {}, tx('task.verify.firstFailure')),
        h(
          'p',
          {},
          h('strong', {}, () => kindLabel(first.kind)),
          ' · ',
          checkSubject(first),
        ),
        h('p', { class: 'failure-detail', lang: 'en' }, first.detail || ''),
      );
      verdict.after(firstFailure);
    }
    verdict.focus();
  };
  verdict.tabIndex = -1;

  button.addEventListener('click', async () => {
    button.disabled = true;
    verdict.hidden = true;
    verdict.removeAttribute('data-verified');
    verdict.setAttribute('role', 'status');
    clearFailure();
    report.replaceChildren();
    progress.hidden = false;
    progress.value = 0;
    setStatus(() => t('task.verify.downloading'));
    // The worker downloads the bundle and verifies it as it arrives.
    try {
      worker = new Worker('verify-worker.js', { type: 'module' });
    } catch (error) {
      fail(String(error.message || error));
      return;
    }
    worker.onmessage = (event) => {
      const message = event.data || {};
      if (message.type === 'progress') {
        progress.value = Math.min(1, Math.max(0, Number(message.fraction) || 0));
        const label = message.label || '';
        if (message.downloading) setStatus(() => t('task.verify.downloading'));
        else setStatus(() => t('task.verify.running', { label }));
      } else if (message.type === 'report') {
        show(message.report || {});
      } else if (message.type === 'error') {
        fail(message.network ? t('error.network') : message.message || 'unknown error');
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fail(event.message || 'verify-worker.js could not be loaded');
    };
    worker.postMessage({ url: `/api/public/tasks/${task.id}/bundle.tar`, pins });
  });
}

export function section(id, titleKey, ...content) {
  return h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, tx(titleKey)), ...content);
}

function renderTaskChooser(main) {
  const input = h('input', { id: 'task-number', name: 'id', type: 'number', min: '1', inputmode: 'numeric', required: true });
  const list = h('ul', { class: 'plain task-links' }, h('li', {}, tx('loading')));
  main.replaceChildren(
    h('h1', { id: 'task-name' }, tx('task.none.h1')),
    h('p', {}, tx('task.none.text')),
    h(
      'form',
      { class: 'inline-form', action: 'task.html', method: 'get' },
      h('div', { class: 'field' }, h('label', { for: 'task-number' }, tx('task.none.label')), input),
      h('button', { type: 'submit' }, tx('task.none.button')),
    ),
    list,
  );
  api('/api/public/tasks')
    .then((tasks) => {
      list.replaceChildren(
        ...tasks.map((task) =>
          h('li', { 'data-task-id': String(task.id) }, h('a', { href: `task.html?id=${task.id}` }, task.name), ' — ', stateBadge(task.state)),
        ),
      );
    })
    .catch((error) => list.replaceChildren(h('li', {}, errorBox(error))));
}

async function pageTask() {
  const main = $('#main');
  const params = new URLSearchParams(location.search);
  const rawId = params.get('id');
  setTitle(() => t('title.task'));
  if (rawId === null || rawId.trim() === '') {
    renderTaskChooser(main);
    return;
  }
  if (!/^[1-9][0-9]{0,17}$/.test(rawId.trim())) {
    main.replaceChildren(h('h1', { id: 'task-name' }, tx('task.h1')), h('p', { class: 'notice notice-error', role: 'alert' }, tx('task.badId', { id: rawId })));
    return;
  }
  const id = rawId.trim();
  let task;
  try {
    [task] = await Promise.all([api(`/api/public/tasks/${id}`), loadOutcomes()]);
  } catch (error) {
    main.replaceChildren(
      h('h1', { id: 'task-name' }, tx('task.h1')),
      error.status === 404 ? h('p', { class: 'notice notice-warn', role: 'alert' }, tx('task.notFound', { id })) : errorBox(error),
    );
    return;
  }
  setTitle(() => t('title.taskN', { name: task.name }));

  const def = task.definition || {};
  const state = task.state;
  // An abandoned draw is published like a revealed one.
  const revealed = state === 'revealed' || state === 'results_published' || state === 'results-published' || task.draw_published === true;
  const content = [];
  content.push(
    h(
      'header',
      { class: 'task-header' },
      h('p', { class: 'task-no' }, tx('home.taskNo', { id: task.id })),
      h('h1', { id: 'task-name' }, task.name),
      h('p', {}, stateBadge(state, 'task-state')),
      h(
        'dl',
        { class: 'facts' },
        h('div', {}, h('dt', {}, tx('fact.authority')), h('dd', {}, () => departmentLabel(task.department))),
        h('div', {}, h('dt', {}, tx('fact.items')), h('dd', {}, (def.items || []).join(', '))),
        h('div', {}, h('dt', {}, tx('fact.pool')), h('dd', {}, task.pool_size == null ? '—' : () => countTargets(task.pool_size))),
        h('div', {}, h('dt', {}, tx('fact.drawn')), h('dd', {}, task.drawn_count == null ? (state === 'abandoned' ? '—' : tx('notYet')) : () => countTargets(task.drawn_count))),
        task.results_published != null
          ? h('div', {}, h('dt', {}, tx('fact.results')), h('dd', { id: 'results-published' }, h('a', { href: '#results-section' }, String(task.results_published))))
          : null,
      ),
    ),
  );

  if (state === 'drawn') {
    content.push(
      h(
        'div',
        { id: 'sealed-notice', class: 'notice notice-sealed', role: 'note' },
        h('p', { class: 'notice-title' }, h('strong', {}, tx('task.sealed.title'))),
        h('p', {}, tx('task.sealed')),
        h('p', {}, def.embargo_until ? tx('task.sealed.embargo', { date: def.embargo_until }) : tx('task.sealed.noEmbargo')),
      ),
    );
  } else if (state === 'committed') {
    content.push(h('div', { class: 'notice notice-info', role: 'note' }, h('p', {}, tx('task.committed.notice', { source: (def.entropy || {}).source || '' }))));
  } else if (state === 'abandoned') {
    const abandoned = (task.timeline || []).find((e) => e.kind === 'task.abandoned');
    const from = abandoned ? parsePayload(abandoned).from : null;
    content.push(
      h(
        'div',
        { class: 'notice notice-warn', role: 'note' },
        h('p', {}, () => t('task.abandoned.notice', { from: from ? stateLabel(from, true) : '?', reason: task.abandon_reason || t('task.abandoned.noReason') })),
        from === 'drawn' ? h('p', {}, tx('task.abandoned.sealed')) : null,
        from === 'committed' && task.secret ? h('p', { id: 'abandoned-secret' }, () => t('task.abandoned.secret', { secret: task.secret })) : null,
      ),
    );
  }

  content.push(section('parameters-section', 'task.params.h2', h('div', { id: 'parameters' }, renderParameters(task))));
  content.push(
    section(
      'pool-section',
      'task.pool.h2',
      h(
        'dl',
        { class: 'facts facts-wide', id: 'pool' },
        row('p.filter', () => describeFilter(def)),
        row('p.poolSize', task.pool_size == null ? '—' : () => countTargets(task.pool_size)),
      ),
    ),
  );
  content.push(section('entropy-section', 'task.entropy.h2', renderEntropy(task)));
  const timeline = task.timeline || [];
  content.push(
    section(
      'timeline-section',
      'task.timeline.h2',
      h('p', { class: 'muted' }, () => t('time.note', { zone: zoneLabel() })),
      h('ol', { id: 'timeline', class: 'timeline' }, timeline.length ? timelineItems(timeline, task) : h('li', {}, tx('task.timeline.empty'))),
    ),
  );
  content.push(section('files-section', 'task.files.h2', h('div', { id: 'files' }, renderFiles(task))));

  let selectionSection = null;
  let replacementsSection = null;
  let resultsSection = null;
  let verifySection = null;
  if (revealed) {
    selectionSection = section('selection-section', 'task.selection.h2', h('p', {}, tx('loading')));
    replacementsSection = section('replacements-section', 'task.replacements.h2', h('p', {}, tx('loading')));
    content.push(selectionSection, replacementsSection);
  }
  // Results are published only after the reveal; the section shows whatever the server has.
  if (revealed || (task.results_published ?? 0) > 0) {
    resultsSection = section('results-section', 'task.results.h2', h('p', {}, tx('loading')));
    content.push(resultsSection);
  }
  if (revealed) {
    verifySection = section('verify-section', 'task.verify.h2');
    content.push(verifySection);
  }
  fill(main, content);
  main.removeAttribute('aria-busy');

  const selectionRequest = revealed ? api(`/api/public/tasks/${task.id}/selection`) : null;
  if (resultsSection || replacementsSection) {
    import('./records.js').then(
      (records) => {
        if (resultsSection) records.fillTaskResults(task, resultsSection);
        if (replacementsSection) records.fillReplacements(task, replacementsSection, selectionRequest);
      },
      (error) => {
        for (const s of [resultsSection, replacementsSection]) if (s) s.replaceChildren(s.firstChild, errorBox(error));
      },
    );
  }

  if (revealed) {
    setupVerify(task, verifySection);
    try {
      const selection = await selectionRequest;
      const body = [];
      if (task.result_status === 'failed') {
        body.push(h('div', { class: 'notice notice-warn', role: 'note' }, h('p', {}, tx('task.selection.status.failed'))));
        try {
          const failure = parseFailure(await api(taskFileUrl(task.id, 'result.tsv'), 'text'));
          if (failure) {
            body.push(
              h('p', {}, () =>
                t('task.selection.failure', {
                  ...failure,
                  department: departmentLabel(failure.department),
                  rule: has(`rule.${failure.rule}`) ? t(`rule.${failure.rule}`) : failure.rule,
                }),
              ),
            );
          }
        } catch (_) {
          /* the failure line is optional detail */
        }
      } else {
        body.push(h('p', {}, () => t('task.selection.status.complete', { n: countTargets(selection.length) })));
      }
      fill(selectionSection, selectionSection.firstChild, body);
      renderSelection(task, selection, selectionSection, params.get('q') || '');
      if (location.hash === '#selection-section') selectionSection.scrollIntoView();
    } catch (error) {
      selectionSection.replaceChildren(selectionSection.firstChild, errorBox(error));
    }
  }
}

// ------------------------------------------------------------ log page ---

const PAGE_SIZE = 50;

function logRow(entry, publicTasks) {
  let taskCell = '—';
  if (entry.task !== null && entry.task !== undefined) {
    const known = publicTasks.get(entry.task);
    taskCell = known
      ? [h('a', { href: `task.html?id=${entry.task}` }, tx('log.task', { id: entry.task })), h('span', { class: 'log-task-name' }, known.name)]
      : h('span', { class: 'muted' }, tx('log.task.unpublished', { id: entry.task }));
  }
  const full = JSON.stringify(entry, null, 2);
  return h(
    'tr',
    { id: `seq-${entry.seq}`, 'data-seq': String(entry.seq), 'data-kind': entry.kind },
    h('th', { scope: 'row', class: 'num', 'data-label': tx('log.col.seq') }, String(entry.seq)),
    h('td', { 'data-label': tx('log.col.time') }, timeEl(entry.at)),
    h(
      'td',
      { 'data-label': tx('log.col.kind') },
      h('span', { class: 'kind' }, () => kindLabel(entry.kind)),
      h('details', { class: 'entry-details' }, h('summary', {}, tx('log.payload')), h('pre', { lang: 'en' }, full)),
    ),
    h('td', { 'data-label': tx('log.col.task') }, taskCell),
    h('td', { 'data-label': tx('log.col.actor') }, entry.actor),
    h('td', { 'data-label': tx('log.col.hash') }, hashEl(entry.hash)),
  );
}

function pageLink(key, after, current) {
  if (after === null || after === current) {
    return h('span', { class: 'page-link disabled', 'aria-disabled': 'true' }, tx(key));
  }
  return h('a', { class: 'page-link', href: `log.html?after=${after}` }, tx(key));
}

async function fetchWholeLog(onProgress) {
  const entries = [];
  let after = 0;
  let headSeq = 0;
  for (;;) {
    const page = await api(`/api/public/log?after=${after}&limit=1000`);
    headSeq = page.head ? page.head.seq : headSeq;
    entries.push(...page.entries);
    onProgress(entries.length, headSeq);
    if (page.entries.length < 1000) break;
    after = page.entries[page.entries.length - 1].seq;
  }
  return entries;
}

function setupLogVerify() {
  const button = $('#log-verify-button');
  const result = $('#log-verify-result');
  if (!button) return;
  let statusFn = null;
  onLangChange(() => {
    if (statusFn) fill(result, statusFn());
  });
  const render = (fn) => {
    statusFn = fn;
    fill(result, fn());
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    result.removeAttribute('data-passed');
    result.className = 'verdict';
    result.setAttribute('aria-busy', 'true');
    let entries;
    try {
      render(() => h('p', {}, t('log.verify.fetching', { n: 0, total: '…' })));
      entries = await fetchWholeLog((n, total) => render(() => h('p', {}, t('log.verify.fetching', { n, total }))));
      render(() => h('p', {}, t('log.verify.checking', { n: entries.length })));
      const { verifyLog } = await import('./verify.js');
      const outcome = await verifyLog(entries);
      let serverHead = null;
      try {
        serverHead = await api('/api/public/log/head');
      } catch (_) {
        /* compared only when available */
      }
      const headHash = outcome.head && typeof outcome.head === 'object' ? outcome.head.hash : outcome.head;
      const passed = outcome.passed === true;
      const problems = outcome.problems || [];
      const open = outcome.open || [];
      result.className = `verdict ${passed ? 'verdict-ok' : 'verdict-bad'}`;
      render(() => [
        h('p', { class: 'verdict-line' }, passed ? t('log.verify.ok', { n: entries.length }) : t('log.verify.bad', { count: problems.length })),
        problems.length ? h('ol', { class: 'problems', lang: 'en' }, problems.map((p) => h('li', {}, p))) : null,
        headHash
          ? h(
              'p',
              {},
              t('log.verify.head', { hash: '' }),
              h('code', { class: 'digest' }, headHash),
              serverHead ? [' ', serverHead.hash === headHash ? t('log.verify.headMatch') : t('log.verify.headNew')] : null,
            )
          : null,
        open.length
          ? h(
              'p',
              {},
              t('log.verify.open'),
              ' ',
              open.map((id, i) => [i ? (getLang() === 'zh' ? '、' : ', ') : '', h('a', { href: `task.html?id=${id}` }, String(id))]),
            )
          : h('p', {}, t('log.verify.noOpen')),
      ]);
      result.dataset.passed = passed ? 'true' : 'false';
    } catch (error) {
      result.className = 'verdict verdict-error';
      const message = error && error.message ? error.message : String(error);
      render(() => h('p', { role: 'alert' }, t('log.verify.error', { message })));
      result.dataset.passed = 'false';
    } finally {
      result.removeAttribute('aria-busy');
      button.disabled = false;
    }
  });
}

async function pageLog() {
  setTitle(() => t('title.log'));
  setupLogVerify();
  const params = new URLSearchParams(location.search);
  const raw = params.get('after');
  let after = raw && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : 0;
  const headBox = $('#log-head');
  const container = $('#log-entries');
  const pager = $('#log-pages');
  container.setAttribute('aria-busy', 'true');
  let page;
  let publicTasks = new Map();
  try {
    const [logPage, tasks] = await Promise.all([
      api(`/api/public/log?after=${after}&limit=${PAGE_SIZE}`),
      api('/api/public/tasks').catch(() => []),
    ]);
    page = logPage;
    publicTasks = new Map(tasks.map((task) => [task.id, task]));
  } catch (error) {
    container.replaceChildren(errorBox(error));
    container.removeAttribute('aria-busy');
    return;
  }
  const head = page.head || (await api('/api/public/log/head'));
  headBox.dataset.seq = String(head.seq);
  headBox.dataset.hash = head.hash;
  headBox.replaceChildren(
    head.seq
      ? h('p', {}, tx('log.head', { seq: head.seq }), ' ', h('code', { class: 'digest', id: 'log-head-hash' }, head.hash))
      : h('p', {}, tx('log.head.empty')),
  );
  const entries = page.entries;
  const total = head.seq;
  const nodes = [];
  if (entries.length) {
    const from = entries[0].seq;
    const to = entries[entries.length - 1].seq;
    nodes.push(h('p', { class: 'muted' }, tx('log.entries', { from, to, total }), ' ', () => t('time.note', { zone: zoneLabel() })));
    nodes.push(
      h(
        'div',
        { class: 'table-wrap', role: 'region', 'aria-label': tx('log.caption'), tabindex: '0' },
        h(
          'table',
          { class: 'stack log-table' },
          h('caption', { class: 'visually-hidden' }, tx('log.caption')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['log.col.seq', 'log.col.time', 'log.col.kind', 'log.col.task', 'log.col.actor', 'log.col.hash'].map((key) =>
                h('th', { scope: 'col' }, tx(key)),
              ),
            ),
          ),
          h('tbody', {}, entries.map((entry) => logRow(entry, publicTasks))),
        ),
      ),
    );
  } else {
    nodes.push(h('p', {}, tx('log.entries.none')));
  }
  container.replaceChildren(...nodes);
  container.removeAttribute('aria-busy');

  const lastAfter = Math.max(0, total - PAGE_SIZE);
  const prev = after > 0 ? Math.max(0, after - PAGE_SIZE) : null;
  const next = entries.length && entries[entries.length - 1].seq < total ? entries[entries.length - 1].seq : null;
  pager.replaceChildren(
    pageLink('log.first', after > 0 ? 0 : null, null),
    pageLink('log.prev', prev, null),
    pageLink('log.next', next, null),
    pageLink('log.last', after < lastAfter ? lastAfter : null, null),
  );
  pager.hidden = !pager.querySelector('a');
  if (location.hash) {
    const target = document.getElementById(location.hash.slice(1));
    if (target) {
      target.classList.add('highlight');
      target.scrollIntoView({ block: 'center' });
    }
  }
}

// ------------------------------------------------------------ how page ---

function pageHow() {
  setTitle(() => t('title.how'));
  for (const el of document.querySelectorAll('[data-origin]')) {
    el.textContent = location.host;
  }
}

// --------------------------------------------------------------- start ---

const PAGES = {
  home: pageHome,
  task: pageTask,
  log: pageLog,
  how: pageHow,
  results: () => import('./results.js').then((m) => m.pageResults()),
  stats: () => import('./stats.js').then((m) => m.pageStats()),
};

function start() {
  applyStatic();
  setupChrome();
  const page = PAGES[document.body.dataset.page];
  if (!page) return;
  Promise.resolve()
    .then(page)
    .catch((error) => {
      // A page module that could not load, or a bug: say so instead of "Loading…" forever.
      const main = $('#main');
      if (main) {
        main.removeAttribute('aria-busy');
        main.append(errorBox(error instanceof ApiError ? error : new ApiError(-1, 'page', String((error && error.message) || error))));
      }
    });
}

if (typeof document !== 'undefined') {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}
