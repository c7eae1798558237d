import { gzip, tarOf } from "./tar-fixture";

/** The archives upstream's ADD tests write: t.tar holds foo ("content0"), b.tar holds bar ("content1"). */
export const fooTar = tarOf([{ name: "foo", content: "content0", mode: 0o644 }]);
export const fooTarGz = gzip(fooTar);
export const barTar = tarOf([{ name: "bar", content: "content1", mode: 0o644 }]);
