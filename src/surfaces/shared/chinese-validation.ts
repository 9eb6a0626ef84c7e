import type { Classified, Issue } from './classify-error.ts';

/**
 * Schema violations as one Chinese sentence, for the v1 surfaces
 * (`参数验证失败: email 邮箱格式不正确`).
 */
export function describeIssuesZh(issues: Issue[]): string {
  return issues.map(describeIssueZh).join('; ');
}

function describeIssueZh({ path, keyword, params }: Issue): string {
  const field = path.length ? `${path.join('.')} ` : '';
  switch (keyword) {
    case 'required':
      return `${field}为必填字段`;
    case 'type':
      return `${field}类型错误，应为${TYPE_NAMES[String(params.type).split(',')[0]!] ?? String(params.type)}`;
    case 'format':
      return params.format === 'email' ? `${field}邮箱格式不正确` : `${field}格式不正确`;
    case 'minLength':
      return `${field}长度不能少于${String(params.limit)}个字符`;
    case 'maxLength':
      return `${field}长度不能超过${String(params.limit)}个字符`;
    case 'minimum':
      return `${field}不能小于${String(params.limit)}`;
    case 'maximum':
      return `${field}不能大于${String(params.limit)}`;
    case 'pattern':
      return `${field}格式不正确`;
    case 'enum':
    case 'const':
      return `${field}取值无效，可选值: ${(Array.isArray(params.allowedValues) ? params.allowedValues : [params.allowedValue]).join(', ')}`;
    case 'additionalProperties':
      return `不支持的字段 ${String(params.additionalProperty)}`;
    case 'minProperties':
      return '请求体不能为空';
    case 'rule':
      return `${field}${String(params.message)}`;
    default:
      return `${field}无效`;
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: '字符串',
  integer: '整数',
  number: '数字',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
};

export const MALFORMED_JSON_ZH = '请求体不是有效的 JSON';

/** A refused request body as one Chinese sentence (unparseable JSON, or its schema violations). */
export function describeFailureZh(failure: Extract<Classified, { kind: 'validation' | 'malformed-body' }>): string {
  return failure.kind === 'malformed-body' ? MALFORMED_JSON_ZH : describeIssuesZh(failure.issues);
}
