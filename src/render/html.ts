/**
 * HTML rendering: Handlebars templates from templates/ (report.hbs + partials/*.hbs) over the view
 * built in view.ts. Everything is printed with `{{ }}` (HTML-escaped); the templates contain no
 * triple-stash, so data from the cluster can never become markup.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import type { ClusterModel } from '../model/cluster.js';
import type { Finding } from '../model/finding.js';
import { packageRoot } from '../version.js';
import { buildView, type ReportView, type ViewOptions } from './view.js';

export const templatesDir = join(packageRoot, 'templates');

type Template = (view: ReportView) => string;
let compiled: Template | undefined;

function loadTemplate(): Template {
  if (compiled) return compiled;
  const handlebars = Handlebars.create();
  const partialsDir = join(templatesDir, 'partials');
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    handlebars.registerPartial(basename(file, '.hbs'), readFileSync(join(partialsDir, file), 'utf8'));
  }
  const template = handlebars.compile<ReportView>(readFileSync(join(templatesDir, 'report.hbs'), 'utf8'), {
    // Our templates only use built-in block helpers; anything else is a typo we want to see.
    knownHelpersOnly: true,
    strict: false,
  });
  compiled = (view) => template(view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
  return compiled;
}

export function renderViewHtml(view: ReportView): string {
  return loadTemplate()(view);
}

export async function renderHtml(model: ClusterModel, findings: Finding[], options: ViewOptions = {}): Promise<string> {
  return renderViewHtml(await buildView(model, findings, options));
}
