/**
 * The `q` language and paging helpers in isolation: every pattern form Harbor's parser knows, its
 * errors, and the Link header arithmetic (the HTTP scenarios cover the common forms end to end).
 */
import {describe, expect, it} from 'vitest'
import {ApiError} from '../../src/emulator/errors.js'
import {applySort, type Fields, linkHeader, matchesQ, parseQ} from '../../src/emulator/query.js'

interface Item {
  name: string
  id: number
  created: string
}

const FIELDS: Fields<Item> = {name: (i) => i.name, Name: (i) => i.name, id: (i) => i.id, creation_time: (i) => i.created}
const items: Item[] = [
  {name: 'alpha', id: 1, created: '2024-01-01T00:00:00.000Z'},
  {name: 'beta', id: 2, created: '2024-06-01T00:00:00.000Z'},
  {name: '~tilde', id: 3, created: '2025-01-01T00:00:00.000Z'},
]
const select = (q: string) => items.filter((item) => matchesQ(item, parseQ(q), FIELDS)).map((item) => item.id)

describe('q', () => {
  it('supports exact, fuzzy, ranges, OR lists, and ignores AND lists and unknown keys', () => {
    expect(select('name=beta')).toEqual([2])
    expect(select('Name=~ALP')).toEqual([1])
    expect(select('id=[2~3]')).toEqual([2, 3])
    expect(select('id=[~1]')).toEqual([1])
    expect(select('creation_time=[2024-05-01T00:00:00~2024-12-31T00:00:00]')).toEqual([2])
    expect(select('id={1 3}')).toEqual([1, 3])
    expect(select('id=(1 2)')).toEqual([1, 2, 3])
    expect(select('color=red,id=2')).toEqual([2])
  })

  it('unescapes a second time (+ is a space) and lets \\ escape a leading special character', () => {
    expect(parseQ('name=a+b').get('name')).toEqual({kind: 'exact', value: 'a b'})
    expect(parseQ('name=a%2Bb').get('name')).toEqual({kind: 'exact', value: 'a+b'})
    expect(parseQ('name=%zz').get('name')).toEqual({kind: 'exact', value: '%zz'})
    expect(select('name=\\~tilde')).toEqual([3])
  })

  it('refuses terms without "=" or with an empty side, and empty ranges', () => {
    for (const bad of ['name', '=x', 'name=', 'a=1,,b=2']) {
      expect(() => parseQ(bad)).toThrow('the query string must contain "=" and the key/value cannot be empty')
    }
    expect(() => parseQ('id=[~]')).toThrow(ApiError)
    expect(() => parseQ('id=[12]')).toThrow(ApiError)
  })
})

describe('sort and Link', () => {
  it('sorts by known keys, descending with "-", and drops unknown ones', () => {
    expect(applySort(items, '-id', FIELDS).map((i) => i.id)).toEqual([3, 2, 1])
    expect(applySort(items, 'nope,-name', FIELDS).map((i) => i.name)).toEqual(['~tilde', 'beta', 'alpha'])
    expect(applySort(items, 'nope', FIELDS)).toBe(items)
  })

  it('links prev and next with relative URLs, sorted keys and decoded values', () => {
    const query = new URLSearchParams('q=name%3D~a&page=2&page_size=10')
    expect(linkHeader('/api/v2.0/projects', query, {page: 2, pageSize: 10}, 25)).toBe(
      '</api/v2.0/projects?page=1&page_size=10&q=name=~a>; rel="prev" , </api/v2.0/projects?page=3&page_size=10&q=name=~a>; rel="next"',
    )
    expect(linkHeader('/api/v2.0/projects', query, {page: 3, pageSize: 10}, 25)).toBe(
      '</api/v2.0/projects?page=2&page_size=10&q=name=~a>; rel="prev"',
    )
    expect(linkHeader('/api/v2.0/projects', query, {page: 5, pageSize: 10}, 25)).toBe('')
    expect(linkHeader('/api/v2.0/projects', query, {page: 1, pageSize: 0}, 25)).toBe('')
  })
})
