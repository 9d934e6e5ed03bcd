import { z } from 'zod';

type Js = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, Js>;
  required?: string[];
  items?: Js;
  anyOf?: Js[];
  $ref?: string;
  description?: string;
  maximum?: number;
  minimum?: number;
  additionalProperties?: unknown;
};

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;
const INT32_MAX = 2 ** 31 - 1;

/** Schemas named once in GraphQL (`Task`, `Worker`, …): wherever one appears, its name stands in. */
export const namedSchemas = z.registry<{ id: string }>();

/**
 * GraphQL type definitions written from the zod schemas that validate the REST API, so the two
 * never disagree: an object becomes a type (or an input), a string, number, integer or boolean its
 * scalar, an array a list; what GraphQL cannot say (unions, maps, unknown values) is `JSON`, and its
 * zod schema still checks it when the call is made. Integers beyond 32 bits are `SafeInt`.
 */
export class GraphqlTypes {
  private readonly defs = new Map<string, string>();

  /** The SDL of every type written so far. */
  sdl(): string {
    return [...this.defs.values()].join('\n\n');
  }

  /** Writes the output type `name` of `schema` (an object), and returns its name. */
  outputType(name: string, schema: z.ZodType): string {
    return this.objectType(name, this.jsonOf(schema, 'output', false), 'output') ?? 'JSON';
  }

  /** The GraphQL type (`Task!`, `[Int!]`, `JSON`) of an answer. */
  outputRef(name: string, schema: z.ZodType): string {
    return this.ref(name, this.jsonOf(schema, 'output', true), 'output', true);
  }

  /** Writes the input type of `schema` (an object); null when it takes nothing. */
  inputType(name: string, schema: z.ZodType): { ref: string; required: boolean } | null {
    const js = this.jsonOf(schema, 'input', false);
    if (js.type === 'object' && Object.keys(js.properties ?? {}).length === 0) return null;
    const ref = this.ref(name, js, 'input', false);
    const required = (js.required ?? []).length > 0;
    return { ref, required };
  }

  /**
   * Arguments from an object schema's fields, typed as they come out of it: a path or query
   * parameter (`"7"` in a URL) is an `Int` here, and is written back as text for the route.
   */
  argsOf(prefix: string, schema: z.ZodType | undefined, optionalAll = false): string[] {
    if (!schema) return [];
    const js = this.jsonOf(schema, 'output', false);
    const required = new Set(optionalAll ? [] : (js.required ?? []));
    return Object.entries(js.properties ?? {}).map(([field, fieldJs]) => {
      const type = this.ref(`${prefix}${capital(field)}`, fieldJs, 'input', required.has(field));
      return `${field}: ${type}`;
    });
  }

  private jsonOf(schema: z.ZodType, io: 'input' | 'output', refs: boolean): Js {
    return z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      ...(refs && { metadata: namedSchemas }),
    }) as Js;
  }

  private ref(name: string, raw: Js, io: 'input' | 'output', required: boolean): string {
    const { js, nullable } = unwrapNull(raw);
    const bang = required && !nullable ? '!' : '';
    if (js.$ref) {
      const id = /^#\/\$defs\/(\w+)$/.exec(js.$ref)?.[1];
      return `${id && io === 'output' && this.defs.has(id) ? id : 'JSON'}${bang}`;
    }
    switch (js.type) {
      case 'string':
        return `String${bang}`;
      case 'boolean':
        return `Boolean${bang}`;
      case 'number':
        return `Float${bang}`;
      case 'integer':
        return `${fitsInt32(js) ? 'Int' : 'SafeInt'}${bang}`;
      case 'array':
        return js.items ? `[${this.ref(name, js.items, io, true)}]${bang}` : `JSON${bang}`;
      case 'object':
        return `${this.objectType(name, js, io) ?? 'JSON'}${bang}`;
      default:
        return `JSON${bang}`;
    }
  }

  private objectType(name: string, js: Js, io: 'input' | 'output'): string | null {
    const properties = Object.entries(js.properties ?? {});
    if (js.type !== 'object' || properties.length === 0) return null;
    if (properties.some(([field]) => !GRAPHQL_NAME.test(field))) return null;
    const typeName = io === 'input' && !name.endsWith('Input') ? `${name}Input` : name;
    const required = new Set(js.required ?? []);
    const fields = properties.map(([field, fieldJs]) => {
      const type = this.ref(`${name}${capital(field)}`, fieldJs, io, required.has(field));
      return `${describe(unwrapNull(fieldJs).js.description ?? fieldJs.description, '  ')}  ${field}: ${type}`;
    });
    const sdl = `${describe(js.description, '')}${io === 'input' ? 'input' : 'type'} ${typeName} {\n${fields.join('\n')}\n}`;
    const known = this.defs.get(typeName);
    if (known !== undefined && known !== sdl) throw new Error(`GraphQL type ${typeName} is written twice, differently`);
    this.defs.set(typeName, sdl);
    return typeName;
  }
}

function unwrapNull(js: Js): { js: Js; nullable: boolean } {
  if (Array.isArray(js.type)) {
    const rest = js.type.filter((t) => t !== 'null');
    return { js: { ...js, type: rest.length === 1 ? rest[0] : undefined }, nullable: rest.length < js.type.length };
  }
  if (js.anyOf) {
    const rest = js.anyOf.filter((j) => j.type !== 'null');
    const nullable = rest.length < js.anyOf.length;
    if (rest.length === 1) return { js: { ...(rest[0] as Js), description: js.description ?? rest[0]?.description }, nullable };
    return { js: { description: js.description }, nullable };
  }
  return { js, nullable: false };
}

function fitsInt32(js: Js): boolean {
  return js.maximum !== undefined && js.maximum <= INT32_MAX && (js.minimum ?? 0) >= -INT32_MAX - 1;
}

function describe(text: string | undefined, indent: string): string {
  if (!text) return '';
  // A closing quote next to the delimiter would end the block early.
  const safe = text.replaceAll('"""', '\\"""').replace(/"$/, '" ');
  return `${indent}"""${safe}"""\n`;
}

export function capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
