// The draft-04, draft-06 and draft-07 meta-schemas (json-schema.org, as shipped by
// python3-jsonschema), so that a "$ref" to a meta-schema ("any valid schema") resolves
// without fetching anything. 2019-09 and 2020-12 meta-schemas are split into vocabularies
// and are not bundled.
#include "schema/metaschemas.h"

namespace kolibri::schema {
namespace {
constexpr const char* kDraft04 =
    R"json({"id":"http://json-schema.org/draft-04/schema#","$schema":"http://json-schema.org/draft-04/schem)json"
    R"json(a#","description":"Core schema meta-schema","definitions":{"schemaArray":{"type":"array","minIte)json"
    R"json(ms":1,"items":{"$ref":"#"}},"positiveInteger":{"type":"integer","minimum":0},"positiveIntegerDef)json"
    R"json(ault0":{"allOf":[{"$ref":"#/definitions/positiveInteger"},{"default":0}]},"simpleTypes":{"enum":)json"
    R"json(["array","boolean","integer","null","number","object","string"]},"stringArray":{"type":"array",")json"
    R"json(items":{"type":"string"},"minItems":1,"uniqueItems":true}},"type":"object","properties":{"id":{")json"
    R"json(format":"uri","type":"string"},"$schema":{"type":"string","format":"uri"},"title":{"type":"strin)json"
    R"json(g"},"description":{"type":"string"},"default":{},"multipleOf":{"type":"number","minimum":0,"excl)json"
    R"json(usiveMinimum":true},"maximum":{"type":"number"},"exclusiveMaximum":{"type":"boolean","default":f)json"
    R"json(alse},"minimum":{"type":"number"},"exclusiveMinimum":{"type":"boolean","default":false},"maxLeng)json"
    R"json(th":{"$ref":"#/definitions/positiveInteger"},"minLength":{"$ref":"#/definitions/positiveIntegerD)json"
    R"json(efault0"},"pattern":{"type":"string","format":"regex"},"additionalItems":{"anyOf":[{"type":"bool)json"
    R"json(ean"},{"$ref":"#"}],"default":{}},"items":{"anyOf":[{"$ref":"#"},{"$ref":"#/definitions/schemaAr)json"
    R"json(ray"}],"default":{}},"maxItems":{"$ref":"#/definitions/positiveInteger"},"minItems":{"$ref":"#/d)json"
    R"json(efinitions/positiveIntegerDefault0"},"uniqueItems":{"type":"boolean","default":false},"maxProper)json"
    R"json(ties":{"$ref":"#/definitions/positiveInteger"},"minProperties":{"$ref":"#/definitions/positiveIn)json"
    R"json(tegerDefault0"},"required":{"$ref":"#/definitions/stringArray"},"additionalProperties":{"anyOf":)json"
    R"json([{"type":"boolean"},{"$ref":"#"}],"default":{}},"definitions":{"type":"object","additionalProper)json"
    R"json(ties":{"$ref":"#"},"default":{}},"properties":{"type":"object","additionalProperties":{"$ref":"#)json"
    R"json("},"default":{}},"patternProperties":{"type":"object","additionalProperties":{"$ref":"#"},"defau)json"
    R"json(lt":{}},"dependencies":{"type":"object","additionalProperties":{"anyOf":[{"$ref":"#"},{"$ref":"#)json"
    R"json(/definitions/stringArray"}]}},"enum":{"type":"array"},"type":{"anyOf":[{"$ref":"#/definitions/si)json"
    R"json(mpleTypes"},{"type":"array","items":{"$ref":"#/definitions/simpleTypes"},"minItems":1,"uniqueIte)json"
    R"json(ms":true}]},"format":{"type":"string"},"allOf":{"$ref":"#/definitions/schemaArray"},"anyOf":{"$r)json"
    R"json(ef":"#/definitions/schemaArray"},"oneOf":{"$ref":"#/definitions/schemaArray"},"not":{"$ref":"#"})json"
    R"json(},"dependencies":{"exclusiveMaximum":["maximum"],"exclusiveMinimum":["minimum"]},"default":{}})json";
constexpr const char* kDraft06 =
    R"json({"$schema":"http://json-schema.org/draft-06/schema#","$id":"http://json-schema.org/draft-06/sche)json"
    R"json(ma#","title":"Core schema meta-schema","definitions":{"schemaArray":{"type":"array","minItems":1)json"
    R"json(,"items":{"$ref":"#"}},"nonNegativeInteger":{"type":"integer","minimum":0},"nonNegativeIntegerDe)json"
    R"json(fault0":{"allOf":[{"$ref":"#/definitions/nonNegativeInteger"},{"default":0}]},"simpleTypes":{"en)json"
    R"json(um":["array","boolean","integer","null","number","object","string"]},"stringArray":{"type":"arra)json"
    R"json(y","items":{"type":"string"},"uniqueItems":true,"default":[]}},"type":["object","boolean"],"prop)json"
    R"json(erties":{"$id":{"type":"string","format":"uri-reference"},"$schema":{"type":"string","format":"u)json"
    R"json(ri"},"$ref":{"type":"string","format":"uri-reference"},"title":{"type":"string"},"description":{)json"
    R"json("type":"string"},"default":{},"examples":{"type":"array","items":{}},"multipleOf":{"type":"numbe)json"
    R"json(r","exclusiveMinimum":0},"maximum":{"type":"number"},"exclusiveMaximum":{"type":"number"},"minim)json"
    R"json(um":{"type":"number"},"exclusiveMinimum":{"type":"number"},"maxLength":{"$ref":"#/definitions/no)json"
    R"json(nNegativeInteger"},"minLength":{"$ref":"#/definitions/nonNegativeIntegerDefault0"},"pattern":{"t)json"
    R"json(ype":"string","format":"regex"},"additionalItems":{"$ref":"#"},"items":{"anyOf":[{"$ref":"#"},{")json"
    R"json($ref":"#/definitions/schemaArray"}],"default":{}},"maxItems":{"$ref":"#/definitions/nonNegativeI)json"
    R"json(nteger"},"minItems":{"$ref":"#/definitions/nonNegativeIntegerDefault0"},"uniqueItems":{"type":"b)json"
    R"json(oolean","default":false},"contains":{"$ref":"#"},"maxProperties":{"$ref":"#/definitions/nonNegat)json"
    R"json(iveInteger"},"minProperties":{"$ref":"#/definitions/nonNegativeIntegerDefault0"},"required":{"$r)json"
    R"json(ef":"#/definitions/stringArray"},"additionalProperties":{"$ref":"#"},"definitions":{"type":"obje)json"
    R"json(ct","additionalProperties":{"$ref":"#"},"default":{}},"properties":{"type":"object","additionalP)json"
    R"json(roperties":{"$ref":"#"},"default":{}},"patternProperties":{"type":"object","additionalProperties)json"
    R"json(":{"$ref":"#"},"propertyNames":{"format":"regex"},"default":{}},"dependencies":{"type":"object",)json"
    R"json("additionalProperties":{"anyOf":[{"$ref":"#"},{"$ref":"#/definitions/stringArray"}]}},"propertyN)json"
    R"json(ames":{"$ref":"#"},"const":{},"enum":{"type":"array"},"type":{"anyOf":[{"$ref":"#/definitions/si)json"
    R"json(mpleTypes"},{"type":"array","items":{"$ref":"#/definitions/simpleTypes"},"minItems":1,"uniqueIte)json"
    R"json(ms":true}]},"format":{"type":"string"},"allOf":{"$ref":"#/definitions/schemaArray"},"anyOf":{"$r)json"
    R"json(ef":"#/definitions/schemaArray"},"oneOf":{"$ref":"#/definitions/schemaArray"},"not":{"$ref":"#"})json"
    R"json(},"default":{}})json";
constexpr const char* kDraft07 =
    R"json({"$schema":"http://json-schema.org/draft-07/schema#","$id":"http://json-schema.org/draft-07/sche)json"
    R"json(ma#","title":"Core schema meta-schema","definitions":{"schemaArray":{"type":"array","minItems":1)json"
    R"json(,"items":{"$ref":"#"}},"nonNegativeInteger":{"type":"integer","minimum":0},"nonNegativeIntegerDe)json"
    R"json(fault0":{"allOf":[{"$ref":"#/definitions/nonNegativeInteger"},{"default":0}]},"simpleTypes":{"en)json"
    R"json(um":["array","boolean","integer","null","number","object","string"]},"stringArray":{"type":"arra)json"
    R"json(y","items":{"type":"string"},"uniqueItems":true,"default":[]}},"type":["object","boolean"],"prop)json"
    R"json(erties":{"$id":{"type":"string","format":"uri-reference"},"$schema":{"type":"string","format":"u)json"
    R"json(ri"},"$ref":{"type":"string","format":"uri-reference"},"$comment":{"type":"string"},"title":{"ty)json"
    R"json(pe":"string"},"description":{"type":"string"},"default":true,"readOnly":{"type":"boolean","defau)json"
    R"json(lt":false},"examples":{"type":"array","items":true},"multipleOf":{"type":"number","exclusiveMini)json"
    R"json(mum":0},"maximum":{"type":"number"},"exclusiveMaximum":{"type":"number"},"minimum":{"type":"numb)json"
    R"json(er"},"exclusiveMinimum":{"type":"number"},"maxLength":{"$ref":"#/definitions/nonNegativeInteger")json"
    R"json(},"minLength":{"$ref":"#/definitions/nonNegativeIntegerDefault0"},"pattern":{"type":"string","fo)json"
    R"json(rmat":"regex"},"additionalItems":{"$ref":"#"},"items":{"anyOf":[{"$ref":"#"},{"$ref":"#/definiti)json"
    R"json(ons/schemaArray"}],"default":true},"maxItems":{"$ref":"#/definitions/nonNegativeInteger"},"minIt)json"
    R"json(ems":{"$ref":"#/definitions/nonNegativeIntegerDefault0"},"uniqueItems":{"type":"boolean","defaul)json"
    R"json(t":false},"contains":{"$ref":"#"},"maxProperties":{"$ref":"#/definitions/nonNegativeInteger"},"m)json"
    R"json(inProperties":{"$ref":"#/definitions/nonNegativeIntegerDefault0"},"required":{"$ref":"#/definiti)json"
    R"json(ons/stringArray"},"additionalProperties":{"$ref":"#"},"definitions":{"type":"object","additional)json"
    R"json(Properties":{"$ref":"#"},"default":{}},"properties":{"type":"object","additionalProperties":{"$r)json"
    R"json(ef":"#"},"default":{}},"patternProperties":{"type":"object","additionalProperties":{"$ref":"#"},)json"
    R"json("propertyNames":{"format":"regex"},"default":{}},"dependencies":{"type":"object","additionalProp)json"
    R"json(erties":{"anyOf":[{"$ref":"#"},{"$ref":"#/definitions/stringArray"}]}},"propertyNames":{"$ref":")json"
    R"json(#"},"const":true,"enum":{"type":"array","items":true},"type":{"anyOf":[{"$ref":"#/definitions/si)json"
    R"json(mpleTypes"},{"type":"array","items":{"$ref":"#/definitions/simpleTypes"},"minItems":1,"uniqueIte)json"
    R"json(ms":true}]},"format":{"type":"string"},"contentMediaType":{"type":"string"},"contentEncoding":{")json"
    R"json(type":"string"},"if":{"$ref":"#"},"then":{"$ref":"#"},"else":{"$ref":"#"},"allOf":{"$ref":"#/def)json"
    R"json(initions/schemaArray"},"anyOf":{"$ref":"#/definitions/schemaArray"},"oneOf":{"$ref":"#/definitio)json"
    R"json(ns/schemaArray"},"not":{"$ref":"#"}},"default":true})json";
}  // namespace

const char* MetaSchemaText(std::string_view uri) {
  if (uri == "http://json-schema.org/draft-04/schema") return kDraft04;
  if (uri == "http://json-schema.org/draft-06/schema") return kDraft06;
  if (uri == "http://json-schema.org/draft-07/schema") return kDraft07;
  return nullptr;
}

}  // namespace kolibri::schema
