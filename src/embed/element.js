// <support-center>: the app as a custom element. Attributes: base, api-base, brand, stylesheet, token (its
// presence means token mode); the `token` property does the same as the attribute without putting the token in
// the DOM. Connecting mounts, disconnecting unmounts; changing base, api-base or brand mounts again.
export function defineSupportCenter(mount) {
  if (customElements.get('support-center')) return;
  class SupportCenter extends HTMLElement {
    static get observedAttributes() {
      return ['base', 'api-base', 'brand', 'stylesheet', 'token'];
    }

    constructor() {
      super();
      this._handle = null;
      this._token = undefined;
    }

    get token() {
      return this._token ?? this.getAttribute('token');
    }

    set token(value) {
      this._token = value;
      if (this._handle) this._handle.setToken(value ?? null);
    }

    navigate(path) {
      if (this._handle) this._handle.navigate(path);
    }

    connectedCallback() {
      // A `token` the host set before this class was defined is an own data property that hides the
      // accessor: take it over, or the app would mount without it (and never see later assignments).
      if (Object.prototype.hasOwnProperty.call(this, 'token')) {
        const token = this.token;
        delete this.token;
        this._token = token;
      }
      if (this._handle) return;
      const options = {
        base: this.getAttribute('base') ?? '',
        apiBase: this.getAttribute('api-base') ?? '',
      };
      const brand = this.getAttribute('brand');
      if (brand) options.brand = brand;
      const stylesheet = this.getAttribute('stylesheet');
      if (stylesheet) options.stylesheet = stylesheet;
      if (this._token !== undefined || this.hasAttribute('token')) options.token = this.token ?? null;
      this._handle = mount(this, options);
    }

    disconnectedCallback() {
      if (!this._handle) return;
      this._handle.unmount();
      this._handle.free();
      this._handle = null;
    }

    attributeChangedCallback(name, oldValue, value) {
      if (oldValue === value || !this._handle) return;
      if (name === 'token') {
        if (this._token === undefined) this._handle.setToken(value);
        return;
      }
      // The base path, the API or the stylesheet moved: start again there.
      this.disconnectedCallback();
      this.connectedCallback();
    }
  }
  customElements.define('support-center', SupportCenter);
}

// The embedded app's own element: a <div> in the element's open shadow root (made once; a remount reuses
// it), after a <link rel="stylesheet"> to the app's stylesheet. The console's styles do not cross the shadow
// boundary and ours do not leave it; only inherited properties and custom properties (the documented
// --support-* theme) flow in, and the app's root resets the inherited ones. The CSP forbids inline <style>,
// hence a link. An element that cannot have a shadow root gets the div as a plain child.
export function openShadow(element, stylesheet) {
  let root = element;
  try {
    root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  } catch (e) {
    console.warn('support: cannot attach a shadow root to', element, e);
  }
  const container = document.createElement('div');
  if (stylesheet) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = stylesheet;
    container.append(link);
  } else {
    console.warn('support: no `stylesheet` option: the embedded app is unstyled');
  }
  root.append(container);
  return container;
}
